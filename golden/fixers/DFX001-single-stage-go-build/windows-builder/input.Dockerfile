FROM golang:1.22-windowsservercore-ltsc2022
WORKDIR C:/app
COPY . .
RUN go build -o server.exe .
CMD ["server.exe"]
