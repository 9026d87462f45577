FROM golang:1.22-alpine AS builder
WORKDIR /src
COPY . .
# both programs ship in one image; compose starts the worker with `command: /usr/local/bin/worker`
RUN go build -o /usr/local/bin/api ./cmd/api
RUN go build -o /usr/local/bin/worker ./cmd/worker
FROM gcr.io/distroless/static-debian13
WORKDIR /
COPY --from=builder /usr/local/bin/api /usr/local/bin/api
COPY --from=builder /usr/local/bin/worker /usr/local/bin/worker
CMD ["/usr/local/bin/api"]
