FROM golang:1.22 AS build
WORKDIR /src
COPY . .
ARG VERSION
RUN go build -ldflags "-X main.version=${VERSION} -X 'main.commit=$(git rev-parse HEAD)'" -o /out/app .
