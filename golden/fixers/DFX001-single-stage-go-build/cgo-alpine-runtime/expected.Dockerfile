FROM golang:1.22-alpine AS builder
RUN apk add --no-cache gcc musl-dev
WORKDIR /app
COPY . .
RUN CGO_ENABLED=1 go build -o /app/server .
FROM alpine:3.20
WORKDIR /app
COPY --from=builder /app /app
ENTRYPOINT ["/app/server"]
