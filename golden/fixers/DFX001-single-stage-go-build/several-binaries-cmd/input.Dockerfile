FROM golang:1.22-alpine
WORKDIR /src
COPY . .
# both programs ship in one image; compose starts the worker with `command: /usr/local/bin/worker`
RUN go build -o /usr/local/bin/api ./cmd/api
RUN go build -o /usr/local/bin/worker ./cmd/worker
CMD ["/usr/local/bin/api"]
