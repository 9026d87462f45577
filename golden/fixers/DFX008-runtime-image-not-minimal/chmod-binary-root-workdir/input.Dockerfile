FROM golang:1.22-alpine AS builder
WORKDIR /go/src/github.com/acme/hello/
COPY . .
RUN CGO_ENABLED=0 go build -a -installsuffix cgo -o app .

FROM alpine:latest
RUN apk --no-cache add ca-certificates
WORKDIR /root/
COPY --from=builder /go/src/github.com/acme/hello/app .
RUN chmod +x ./app
CMD ["./app"]
