FROM golang:1.22
ENV GOFLAGS=-a
RUN go build -o /app .
