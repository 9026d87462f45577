FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY go.mod go.sum *.go ./
RUN go build -o /app/server .
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
COPY config.yaml ./
COPY --chown=65532:65532 assets/ /app/assets/
ENTRYPOINT ["/app/server"]
