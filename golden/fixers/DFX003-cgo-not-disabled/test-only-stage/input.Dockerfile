FROM golang:1.22 AS test
WORKDIR /src
COPY . .
RUN go test ./... && go vet ./...
