FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app

FROM build AS sqlite-tool
RUN apt-get update && apt-get install -y libsqlite3-dev
RUN go build -o /out/tool ./cmd/tool
