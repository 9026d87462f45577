FROM golang:1.22-alpine AS builder
WORKDIR /go/src/github.com/acme/hello/
COPY . .
RUN CGO_ENABLED=0 go build -a -installsuffix cgo -o app .

FROM gcr.io/distroless/static-debian13
WORKDIR /root/
COPY --from=builder /go/src/github.com/acme/hello/app .
CMD ["./app"]
