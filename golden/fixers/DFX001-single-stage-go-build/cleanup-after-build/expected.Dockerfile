FROM golang:1.22-alpine AS builder
RUN apk add --no-cache ca-certificates && update-ca-certificates
RUN apk add --no-cache --virtual .build-deps git make
WORKDIR /app
COPY . .
RUN go build -o /usr/local/bin/app ./cmd/app \
    && go clean -cache \
    && rm -rf /app /root/.cache \
    && apk del .build-deps
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
COPY --from=builder /usr/local/bin/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
