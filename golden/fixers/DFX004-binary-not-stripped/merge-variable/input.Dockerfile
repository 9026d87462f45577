FROM golang:1.22 AS build
WORKDIR /src
COPY . .
ARG LDFLAGS
RUN go build -ldflags "$LDFLAGS" -o /out/app .
