FROM golang:1.22 AS build
ENV GOOS=linux GOARCH=arm64
WORKDIR /src
COPY . .
RUN go build -o /out/app .
