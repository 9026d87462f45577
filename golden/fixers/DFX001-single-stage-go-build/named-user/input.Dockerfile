FROM golang:1.22-alpine
RUN adduser -D -u 1000 app
WORKDIR /app
COPY . .
RUN go build -o /app/server .
USER app
CMD ["/app/server"]
