FROM golang:1.21-alpine AS builder
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /app
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -ldflags '-w -s' -o /app/main ./cmd/main

FROM gcr.io/distroless/static-debian12
WORKDIR /
COPY --from=builder /app/main /main
EXPOSE 8080
ENTRYPOINT ["/main"]
