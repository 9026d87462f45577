ARG BASE_PREFIX
FROM ${BASE_PREFIX}golang:1.22 AS builder
WORKDIR /code
COPY . .
ARG SKAFFOLD_GO_GCFLAGS
RUN go build -gcflags="${SKAFFOLD_GO_GCFLAGS}" -trimpath -o /app main.go
