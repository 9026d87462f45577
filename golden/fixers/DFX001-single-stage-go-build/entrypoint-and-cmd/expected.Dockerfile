FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /usr/local/bin/api ./cmd/api
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /usr/local/bin/api /api
ENTRYPOINT ["/api", "serve"]
CMD ["--port", "8080"]
