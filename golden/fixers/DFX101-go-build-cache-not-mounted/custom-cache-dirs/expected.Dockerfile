FROM golang:1.23
ENV GOCACHE=/cache/build GOMODCACHE=/cache/mod
RUN --mount=type=cache,target=/cache/mod --mount=type=cache,target=/cache/build go build -o /app .
