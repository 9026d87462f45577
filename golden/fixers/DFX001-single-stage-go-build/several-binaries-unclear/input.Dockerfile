FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o /bin/api ./cmd/api && go build -o /bin/worker ./cmd/worker
CMD ["/usr/bin/supervisord"]
