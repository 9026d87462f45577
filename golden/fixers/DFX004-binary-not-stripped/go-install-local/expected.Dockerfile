FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go install -ldflags '-w -s' -v ./cmd/...
