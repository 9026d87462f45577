FROM golang:1.23
RUN go build -o /app .
