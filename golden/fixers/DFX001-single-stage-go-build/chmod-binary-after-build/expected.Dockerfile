FROM golang:1.22-alpine AS builder
RUN apk add --no-cache git make
WORKDIR /app
COPY . .
RUN make build && go build -o /app/server . && chmod +x /app/server
RUN ls -l /app/server
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
ENTRYPOINT ["/app/server"]
