FROM golang:1.22 AS deps
WORKDIR /src
COPY go.mod go.sum* ./
RUN go mod download
COPY . .
