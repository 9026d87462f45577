FROM golang:1.22 AS build
ENV CGO_ENABLED=0 GOOS=linux
ARG VERSION=dev
ARG COMMIT
WORKDIR /src
COPY . .
RUN go build -ldflags "-X main.version=$VERSION" -o /out/app .
