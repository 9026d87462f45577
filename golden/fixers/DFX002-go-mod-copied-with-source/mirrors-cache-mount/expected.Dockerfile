FROM golang:1.22 AS tools
WORKDIR /tools
COPY tools/go.mod tools/go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=bind,source=x,target=/x go mod download
RUN go install ./...

FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum* ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod go build -o /out/app .
