FROM golang:1.22-alpine
RUN mkdir -p /var/log/myapp
WORKDIR /app
COPY . .
RUN go build -o /app/server .
CMD ["/app/server", "-log-dir", "/var/log/myapp"]
