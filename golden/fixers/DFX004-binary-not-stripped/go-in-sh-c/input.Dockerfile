FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN sh -c 'go build -o /out/app .'
