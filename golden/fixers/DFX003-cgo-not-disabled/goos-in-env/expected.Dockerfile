FROM golang:1.22 AS build
ENV GOOS=linux GOARCH=arm64
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .
