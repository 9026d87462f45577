FROM golang:1.22 AS builder
WORKDIR /app
COPY . .
RUN go build -o /app/server .
FROM gcr.io/distroless/cc-debian13
WORKDIR /
COPY --from=builder /app/server /server
ENTRYPOINT ["/server"]
