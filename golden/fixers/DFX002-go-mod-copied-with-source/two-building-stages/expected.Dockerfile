FROM golang:1.22 AS api
WORKDIR /api
COPY go.mod go.sum* ./
RUN go mod download
COPY . .
RUN go build -o /out/api ./cmd/api

FROM golang:1.22 AS worker
WORKDIR /worker
COPY --link go.mod go.sum* ./
RUN go mod download
COPY --link . .
RUN go build -o /out/worker ./cmd/worker
