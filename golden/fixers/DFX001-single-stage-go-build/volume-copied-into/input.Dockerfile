FROM golang:1.22-alpine
WORKDIR /app
COPY . .
COPY seed/ /var/lib/app/
RUN go build -o /app/server .
VOLUME ["/var/lib/app"]
CMD ["/app/server"]
