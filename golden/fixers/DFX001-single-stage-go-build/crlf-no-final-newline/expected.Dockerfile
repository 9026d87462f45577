FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /app/server .
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
EXPOSE 8080
ENTRYPOINT ["/app/server"]