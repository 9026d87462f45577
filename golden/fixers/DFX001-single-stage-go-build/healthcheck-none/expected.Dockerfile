FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /bin/app .
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /bin/app /app
HEALTHCHECK NONE
ENTRYPOINT ["/app"]
