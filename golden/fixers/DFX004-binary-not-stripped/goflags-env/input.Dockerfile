FROM golang:1.22 AS build
WORKDIR /src
COPY . .
ENV GOFLAGS="-ldflags=-X=main.version=dev"
RUN go build -o /out/app .
