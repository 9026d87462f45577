FROM golang:1.22 AS build
ARG VERSION=dev
ARG COMMIT
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -ldflags "-X main.version=$VERSION" -o /out/app .
