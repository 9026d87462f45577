FROM golang:1.22-alpine
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/ ./cmd/...
EXPOSE 8080
ENTRYPOINT ["/out/api"]
