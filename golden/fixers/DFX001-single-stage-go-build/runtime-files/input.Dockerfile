FROM golang:1.22-alpine
WORKDIR /app
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /app/shop ./cmd/shop
EXPOSE 8080
CMD ["./shop"]
