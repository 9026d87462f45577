FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app

FROM build AS tools
RUN go build -o /out/tool ./cmd/tool
