FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go test -c -o /out/app.test ./pkg/...
