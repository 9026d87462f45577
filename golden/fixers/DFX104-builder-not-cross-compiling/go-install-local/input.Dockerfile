FROM golang:1.23 AS builder
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN go install ./cmd/app

FROM gcr.io/distroless/static-debian13
COPY --from=builder /go/bin/app /app
ENTRYPOINT ["/app"]
