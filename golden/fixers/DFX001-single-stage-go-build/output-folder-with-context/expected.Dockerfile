FROM golang:1.22-alpine AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/ ./cmd/...
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /out/api /out/api
COPY --from=builder /out/worker /out/worker
EXPOSE 8080
ENTRYPOINT ["/out/api"]
