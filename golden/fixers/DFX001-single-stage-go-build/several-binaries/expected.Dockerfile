FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /bin/migrate ./cmd/migrate && \
    go build -o /bin/api ./cmd/api
RUN go vet ./... && go test ./...
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
COPY --from=builder /bin/api /bin/api
COPY --from=builder /bin/migrate /bin/migrate
ENTRYPOINT ["/bin/api"]
