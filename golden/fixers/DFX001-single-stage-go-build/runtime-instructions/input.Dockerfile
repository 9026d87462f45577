ARG VERSION=dev
FROM golang:1.22-alpine

ARG VERSION
ARG COMMIT=unknown
ENV GOPROXY=https://proxy.golang.org GOFLAGS=-mod=mod
ENV PORT=8080 GOMEMLIMIT=256MiB CGO_ENABLED=0
WORKDIR /app

# Metadata
LABEL org.opencontainers.image.version=$VERSION \
      org.opencontainers.image.revision=$COMMIT
COPY . .
RUN go build -o /app/api ./cmd/api

# The API port
EXPOSE $PORT
VOLUME ["/var/lib/api"]
STOPSIGNAL SIGINT
HEALTHCHECK --interval=30s --timeout=3s CMD ["/app/api", "healthcheck"]
USER 10001:10001

# Start the API
CMD ["/app/api"]
