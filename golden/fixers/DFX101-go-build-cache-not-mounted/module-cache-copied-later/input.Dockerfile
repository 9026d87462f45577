FROM golang:1.23 AS deps
COPY go.mod go.sum ./
RUN go mod download

FROM golang:1.23 AS builder
COPY --from=deps /go/pkg/mod /go/pkg/mod
COPY . .
RUN go build -o /app .
