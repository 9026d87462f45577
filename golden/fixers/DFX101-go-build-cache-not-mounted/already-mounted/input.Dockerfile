FROM golang:1.23
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -o /app .
RUN --mount=type=cache,target=/root/.cache go test ./...
