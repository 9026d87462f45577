FROM --platform=$BUILDPLATFORM golang:1.22 AS base
WORKDIR /src

FROM base AS build
ENV CGO_ENABLED=0
COPY . .
RUN go build -o /out/app .
