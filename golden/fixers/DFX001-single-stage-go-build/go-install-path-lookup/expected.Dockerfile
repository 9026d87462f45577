FROM golang:1.22-alpine AS builder
WORKDIR /src
COPY . .
RUN go install ./cmd/server
FROM gcr.io/distroless/static-debian13
WORKDIR /src
COPY --from=builder /src /src
COPY --from=builder /go/bin/server /go/bin/server
ENTRYPOINT ["/go/bin/server", "--addr", ":80"]
