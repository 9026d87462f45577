FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN apk add --no-cache git && \
    # build the server
    go build \
        -trimpath \
        -o /out/app \
        ./cmd/server && \

    # and the client
    go build -o /out/cli ./cmd/cli
