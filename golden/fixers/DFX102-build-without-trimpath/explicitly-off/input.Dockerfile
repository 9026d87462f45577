FROM golang:1.23
RUN go build -trimpath=false -o /app .
