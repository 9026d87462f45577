FROM golang:1.22
RUN go build \
    -ldflags="-s -w" \
    -o /app \
    .
