FROM golang:1.22 AS deps
WORKDIR /src
COPY . .
# modules only
RUN go mod download