FROM golang:1.22-alpine
WORKDIR /src
COPY . .
RUN go build -o /app ./cmd/api && go install ./cmd/...
ENTRYPOINT ["/app"]
