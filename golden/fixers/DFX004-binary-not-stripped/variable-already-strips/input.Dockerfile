FROM golang:1.22 AS build
ENV LDFLAGS="-s -w -X main.version=dev"
WORKDIR /src
COPY . .
RUN go build -ldflags "${LDFLAGS}" -o /out/app .
