FROM golang:1.22 AS deps
WORKDIR /src
COPY . .
RUN go mod download
