FROM golang:1.23
RUN <<EOF
set -e
go mod download
go build -o /app .
EOF
