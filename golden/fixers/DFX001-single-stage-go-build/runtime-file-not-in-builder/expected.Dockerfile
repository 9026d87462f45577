FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY go.mod *.go ./
RUN go build -o /app/shop .
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /app/shop /shop
ENTRYPOINT ["/shop"]
