FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o /app/server .
RUN addgroup -S app && adduser -S app -G app
CMD ["/app/server"]
