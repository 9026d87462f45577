FROM golang:1.22-alpine
RUN apk add --no-cache gcc musl-dev
ENV CGO_ENABLED=1
WORKDIR /app
COPY . .
RUN go build -o /app/server .
ENTRYPOINT ["/app/server"]
