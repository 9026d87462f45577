FROM golang:1.22-alpine
WORKDIR /app
COPY go.mod go.sum *.go ./
RUN go build -o /app/server .
COPY config.yaml ./
COPY --chown=65532:65532 assets/ /app/assets/
CMD ["/app/server"]
