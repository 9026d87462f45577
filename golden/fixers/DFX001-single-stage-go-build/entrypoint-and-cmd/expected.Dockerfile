FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /usr/local/bin/api ./cmd/api
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
COPY --from=builder /usr/local/bin/api /usr/local/bin/api
ENTRYPOINT ["/usr/local/bin/api", "serve"]
CMD ["--port", "8080"]
