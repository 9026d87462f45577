FROM golang:1.22-alpine
WORKDIR /app
ONBUILD COPY . .
COPY . .
RUN go build -o /app/server .
CMD ["/app/server"]
