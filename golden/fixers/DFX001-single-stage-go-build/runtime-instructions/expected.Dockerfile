ARG VERSION=dev
FROM golang:1.22-alpine AS builder

ARG VERSION
ARG COMMIT=unknown
ENV GOPROXY=https://proxy.golang.org GOFLAGS=-mod=mod
ENV PORT=8080 GOMEMLIMIT=256MiB CGO_ENABLED=0
WORKDIR /app

COPY . .
RUN go build -o /app/api ./cmd/api

FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
ARG VERSION
ARG COMMIT=unknown
ENV PORT=8080 GOMEMLIMIT=256MiB

# Metadata
LABEL org.opencontainers.image.version=$VERSION \
      org.opencontainers.image.revision=$COMMIT

# The API port
EXPOSE $PORT
VOLUME ["/var/lib/api"]
STOPSIGNAL SIGINT
HEALTHCHECK --interval=30s --timeout=3s CMD ["/app/api", "healthcheck"]
USER 10001:10001

# Start the API
ENTRYPOINT ["/app/api"]
