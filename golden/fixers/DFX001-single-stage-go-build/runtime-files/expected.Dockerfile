FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /app/shop ./cmd/shop
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app/shop /app/shop
COPY --from=builder /app/config/app.yaml /app/config/app.yaml
COPY --from=builder /app/static /app/static
COPY --from=builder /app/templates /app/templates
EXPOSE 8080
ENTRYPOINT ["/app/shop"]
