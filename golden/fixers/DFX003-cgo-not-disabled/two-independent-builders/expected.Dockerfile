FROM golang:1.22 AS api
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /api
COPY . .
RUN go build -o /out/api ./cmd/api

FROM golang:1.22-alpine AS worker
WORKDIR /worker
COPY . .
RUN CGO_ENABLED=0 go build -o /out/worker ./cmd/worker
