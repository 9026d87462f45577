FROM golang:1.22-bookworm AS builder
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /app
COPY . .
RUN go build -o /app/server .
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /app/server /server
ENTRYPOINT ["/server"]
