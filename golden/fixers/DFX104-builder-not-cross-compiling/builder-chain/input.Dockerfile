FROM golang:1.23 AS base
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .

FROM base AS builder
RUN go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian13
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
