# syntax=docker/dockerfile:1.1
FROM golang:1.23
RUN go build -o /app .
