FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o /bin/migrate ./cmd/migrate && \
    go build -o /bin/api ./cmd/api
RUN go vet ./... && go test ./...
ENTRYPOINT ["/bin/api"]
