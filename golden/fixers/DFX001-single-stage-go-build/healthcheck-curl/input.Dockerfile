FROM golang:1.22-alpine
RUN apk add --no-cache curl
WORKDIR /app
COPY . .
RUN go build -o /app/server .
HEALTHCHECK CMD ["curl", "-f", "http://localhost:8080/health"]
CMD ["/app/server"]
