FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /app/greeter .
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
ENTRYPOINT ["/app/greeter"]
