FROM golang:1.22 AS build
ENV CGO_ENABLED=0
ENV GOOS=linux GOARCH=arm64
WORKDIR /src
COPY . .
RUN go build -o /out/app .
