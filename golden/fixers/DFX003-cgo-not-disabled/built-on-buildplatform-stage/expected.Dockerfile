FROM --platform=$BUILDPLATFORM golang:1.22 AS base
WORKDIR /src

FROM base AS build
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .
