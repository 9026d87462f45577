# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN <<EOF
set -e
go build -ldflags '-X main.version=dev' -o /out/app .
EOF
