ARG GO_VERSION=1.22
FROM --platform=linux/amd64 golang:${GO_VERSION}-alpine AS builder
WORKDIR /app
COPY . .
RUN go build -o /app/server .
FROM --platform=linux/amd64 gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
ENTRYPOINT ["/app/server"]
