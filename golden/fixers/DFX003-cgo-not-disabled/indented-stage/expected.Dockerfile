FROM golang:1.22 AS build
    ENV CGO_ENABLED=0 GOOS=linux
    WORKDIR /src
    COPY . .
    RUN go build -o /out/app .
