FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o "$(go env GOPATH)/bin/app" .
CMD ["app"]
