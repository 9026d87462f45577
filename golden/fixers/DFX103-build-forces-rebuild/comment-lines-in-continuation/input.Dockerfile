FROM golang:1.22
RUN go build \
    # static, stripped
    -a \
    # where the binary goes
    -o /app \
    .
