# syntax=docker/dockerfile:1
FROM golang:1.22
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /src
COPY . .
RUN <<EOF
set -e
go build -o /out/app .
EOF
