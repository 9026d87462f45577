FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -C cmd/server -ldflags '-w -s' -o /out/app .
