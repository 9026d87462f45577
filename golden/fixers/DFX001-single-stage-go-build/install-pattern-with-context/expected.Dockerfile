FROM golang:1.22 AS builder
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /src
COPY . .
RUN go install ./...
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /go/bin/api /go/bin/api
COPY --from=builder /go/bin/worker /go/bin/worker
EXPOSE 8080
CMD ["/go/bin/api"]
