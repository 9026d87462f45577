# syntax=example.com/frontends/dockerfile:latest
FROM golang:1.23
RUN go build -o /app .
