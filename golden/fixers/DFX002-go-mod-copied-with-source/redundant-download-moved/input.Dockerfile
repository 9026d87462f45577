FROM golang:1.22 AS build
WORKDIR /src

# the whole source
COPY . .

# fetch the modules
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download -x

RUN --mount=type=cache,target=/go/pkg/mod \
    go build -o /out/app ./cmd/app
