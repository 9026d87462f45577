FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o server .
CMD exec ./server --port 8080 --log-level 'debug info'
