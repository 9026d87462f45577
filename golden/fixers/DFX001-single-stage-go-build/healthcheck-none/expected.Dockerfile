FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /bin/app .
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
COPY --from=builder /bin/app /bin/app
HEALTHCHECK NONE
ENTRYPOINT ["/bin/app"]
