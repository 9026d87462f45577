FROM golang:latest
WORKDIR $GOPATH/src/github.com/example/app
COPY go.mod go.sum* $GOPATH/src/github.com/example/app/
RUN go mod download
COPY . $GOPATH/src/github.com/example/app
RUN go build .
