FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o /usr/local/bin/api ./cmd/api
ENTRYPOINT ["/usr/local/bin/api", "serve"]
CMD ["--port", "8080"]
