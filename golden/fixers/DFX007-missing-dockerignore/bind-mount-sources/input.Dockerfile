# syntax=docker/dockerfile:1
FROM golang:1.23 AS builder
WORKDIR /src
RUN --mount=type=bind,source=go.sum,target=go.sum \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download
RUN --mount=type=bind,source=LICENSE.md,target=/LICENSE.md \
    --mount=type=bind,target=. \
    CGO_ENABLED=0 go build -o /out/shop .
FROM scratch
COPY --from=builder /out/shop /shop
ENTRYPOINT ["/shop"]
