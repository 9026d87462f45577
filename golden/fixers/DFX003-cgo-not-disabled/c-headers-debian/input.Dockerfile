FROM golang:1.22 AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev
WORKDIR /src
COPY . .
RUN go build -o /out/app .
