FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /bin/migrate ./cmd/migrate && \
    go build -o /bin/api ./cmd/api
RUN go vet ./... && go test ./...
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /bin/api /api
ENTRYPOINT ["/api"]
