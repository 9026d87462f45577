FROM golang:1.22 AS build
WORKDIR /src

COPY go.mod go.sum* ./
# fetch the modules
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download -x

# the whole source
COPY . .

RUN --mount=type=cache,target=/go/pkg/mod \
    go build -o /out/app ./cmd/app
