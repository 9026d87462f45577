FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -ldflags '-X main.version=1.2.3 -w -s' -o /out/app .
