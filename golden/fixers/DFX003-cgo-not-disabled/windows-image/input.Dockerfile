FROM golang:1.22-windowsservercore-ltsc2022
WORKDIR C:\\src
COPY . .
RUN go build -o app.exe .
