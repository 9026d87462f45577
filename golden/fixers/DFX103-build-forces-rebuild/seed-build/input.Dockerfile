FROM golang:1.21-alpine AS builder
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /app
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -a -ldflags '-w -s' -o /app/main ./cmd/main
