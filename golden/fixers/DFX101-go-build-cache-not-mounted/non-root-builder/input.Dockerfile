FROM golang:1.23
USER 1000
RUN go build -o /tmp/app .
