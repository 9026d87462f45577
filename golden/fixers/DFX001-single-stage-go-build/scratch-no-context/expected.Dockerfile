FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /app/clock .
FROM scratch
WORKDIR /app
COPY --from=builder /app /app
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
ENTRYPOINT ["/app/clock"]
