ARG GO_VERSION=1.22
FROM --platform=linux/amd64 golang:${GO_VERSION}-alpine
WORKDIR /app
COPY . .
RUN go build -o /app/server .
ENTRYPOINT ["/app/server"]
