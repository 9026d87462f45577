FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /app/shop ./cmd/shop
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /app/shop /shop
ENTRYPOINT ["/shop"]
