FROM golang:1.22 AS lint
WORKDIR /src
COPY . .
RUN go build ./... && go build -o /dev/null ./cmd/app
