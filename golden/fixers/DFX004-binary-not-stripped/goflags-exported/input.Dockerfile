FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN export GOFLAGS='-ldflags=-X=main.version=dev' && go build -o /out/app .
