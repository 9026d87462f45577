FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /bin/app ./cmd/app
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /bin/app /app/app
COPY --from=builder /app/migrations /app/migrations
ENTRYPOINT ["/app/app"]
