FROM golang:1.22-alpine
RUN apk add --no-cache gcc musl-dev
WORKDIR /app
COPY . .
RUN CGO_ENABLED=1 go build -o /app/server .
ENTRYPOINT ["/app/server"]
