FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build ./... && go build -o /dev/null ./cmd/app && go vet ./...
