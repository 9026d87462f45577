FROM golang:1.22-alpine AS builder
COPY certs/corp-root.crt /usr/local/share/ca-certificates/
RUN update-ca-certificates
WORKDIR /app
COPY . .
RUN go build -o /app/server .
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
USER nonroot:nonroot
ENTRYPOINT ["/app/server"]
