FROM golang:1.22 AS gen
WORKDIR /src
COPY . .
RUN go generate ./...
