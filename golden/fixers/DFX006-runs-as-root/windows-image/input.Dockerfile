FROM golang:1.23-windowsservercore-ltsc2022 AS builder
RUN go build -o C:/app.exe .
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY --from=builder C:/app.exe C:/app.exe
ENTRYPOINT ["C:/app.exe"]
