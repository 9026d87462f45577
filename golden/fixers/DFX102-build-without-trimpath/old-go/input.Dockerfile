FROM golang:1.12-alpine
RUN go build -o /app .
