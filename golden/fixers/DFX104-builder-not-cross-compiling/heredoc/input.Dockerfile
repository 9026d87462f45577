# syntax=docker/dockerfile:1
FROM golang:1.23 AS builder
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN <<EOF
set -e
go build -o /out/app .
EOF

FROM gcr.io/distroless/static-debian13
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
