FROM golang:1.22-alpine AS builder
WORKDIR /src
COPY . .
RUN go install ./cmd/server
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /go/bin/server /server
ENTRYPOINT ["/server", "--addr", ":80"]
