FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -ldflags '-w=true --s' -o /out/app .
