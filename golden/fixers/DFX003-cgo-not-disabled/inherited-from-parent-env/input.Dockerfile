FROM golang:1.22 AS base
ENV CGO_ENABLED=0

FROM base AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .
