FROM golang:1.22-bookworm AS builder
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /app
COPY . .
RUN go build -o /app/server .
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
ENTRYPOINT ["/app/server"]
