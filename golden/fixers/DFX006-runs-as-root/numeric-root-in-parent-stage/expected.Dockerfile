FROM golang:1.23 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM alpine:3.20 AS base
USER 0

FROM base
COPY --from=builder /out/app /app
USER 65532:65532
CMD ["/app"]
