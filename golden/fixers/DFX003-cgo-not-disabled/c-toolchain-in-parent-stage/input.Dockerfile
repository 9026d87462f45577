FROM golang:1.22-alpine AS base
RUN apk add --no-cache gcc musl-dev

FROM base AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .
