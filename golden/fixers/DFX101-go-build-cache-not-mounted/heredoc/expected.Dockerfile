FROM golang:1.23
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build <<EOF
set -e
go mod download
go build -o /app .
EOF
