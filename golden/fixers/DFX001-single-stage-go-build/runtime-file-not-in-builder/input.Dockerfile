FROM golang:1.22-alpine
WORKDIR /app
COPY go.mod *.go ./
RUN go build -o /app/shop .
CMD ["/app/shop"]
