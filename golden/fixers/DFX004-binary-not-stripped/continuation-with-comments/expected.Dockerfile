FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN apk add --no-cache git && \
    # build the server
    go build -ldflags '-w -s' \
        -trimpath \
        -o /out/app \
        ./cmd/server && \

    # and the client
    go build -ldflags '-w -s' -o /out/cli ./cmd/cli
