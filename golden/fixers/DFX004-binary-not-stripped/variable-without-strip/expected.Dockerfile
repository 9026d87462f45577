FROM golang:1.22 AS build
ARG VERSION=dev
ENV LDFLAGS="-X main.version=${VERSION}"
WORKDIR /src
COPY . .
RUN go build -ldflags "${LDFLAGS} -w -s" -o /out/app .
