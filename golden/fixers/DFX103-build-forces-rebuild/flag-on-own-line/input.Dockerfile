FROM golang:1.22
RUN go build \
    -a \
    -ldflags="-s -w" \
    -o /app \
    .
