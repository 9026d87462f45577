FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o /app/server .
HEALTHCHECK CMD /app/server -check || exit 1
CMD ["/app/server"]
