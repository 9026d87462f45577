FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o /app/server .
LABEL go.version=$GOLANG_VERSION go.path=$GOPATH
CMD ["/app/server"]
