# syntax=docker/dockerfile:1
FROM golang:1.22
ENV GOPRIVATE=github.com/example
WORKDIR /src
COPY go.mod go.sum* ./
RUN --mount=type=secret,id=netrc,target=/root/.netrc go mod download
COPY . .
RUN --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .
