FROM golang:1.23 AS builder
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=1
RUN go build -ldflags '-w -s' -o /usr/local/bin/lookup .
FROM gcr.io/distroless/cc-debian13
WORKDIR /
COPY --from=builder /usr/local/bin/lookup /lookup
USER 65532:65532
ENTRYPOINT ["/lookup"]
