FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o /app/server .
CMD ["sh", "-c", "/app/server --port $PORT"]
