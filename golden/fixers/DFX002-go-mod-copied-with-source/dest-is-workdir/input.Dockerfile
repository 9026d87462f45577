FROM golang:latest
WORKDIR $GOPATH/src/github.com/example/app
COPY . $GOPATH/src/github.com/example/app
RUN go build .
