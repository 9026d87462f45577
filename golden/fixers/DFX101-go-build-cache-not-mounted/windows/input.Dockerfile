FROM golang:1.23-windowsservercore-ltsc2022
RUN go build -o C:/app.exe .
