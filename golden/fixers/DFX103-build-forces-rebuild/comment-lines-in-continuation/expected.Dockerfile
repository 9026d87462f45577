FROM golang:1.22
RUN go build \
    # static, stripped
    # where the binary goes
    -o /app \
    .
