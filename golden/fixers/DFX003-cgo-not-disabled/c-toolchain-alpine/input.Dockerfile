FROM golang:1.22-alpine AS build
RUN apk add --no-cache build-base
WORKDIR /src
COPY . .
RUN go build -o /out/app .
