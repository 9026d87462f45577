FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN go build -o /out/app .
