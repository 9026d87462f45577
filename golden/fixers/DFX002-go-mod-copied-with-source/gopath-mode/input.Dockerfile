FROM golang:1.15
ENV GO111MODULE=off
WORKDIR /go/src/example.com/app
COPY . .
RUN go build -o /out/app .
