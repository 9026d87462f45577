FROM golang:1.22 AS api
WORKDIR /api
COPY . .
RUN go build -o /out/api ./cmd/api

FROM golang:1.22-alpine AS worker
WORKDIR /worker
COPY . .
RUN go build -o /out/worker ./cmd/worker
