FROM golang:1.23
WORKDIR /src
RUN go build \
    -o /app .
CMD ["/app"]
