FROM golang:1.22-alpine
COPY certs/corp-root.crt /usr/local/share/ca-certificates/
RUN update-ca-certificates
WORKDIR /app
COPY . .
RUN go build -o /app/server .
USER nonroot:nonroot
CMD ["/app/server"]
