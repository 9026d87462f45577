# syntax=docker/dockerfile:1
FROM golang:1.23
RUN <<EOF
set -e
go build -o /app .
EOF
