FROM golang:1.22-alpine
RUN apk add --no-cache git make
WORKDIR /app
COPY . .
RUN make build && go build -o /app/server . && chmod +x /app/server
RUN ls -l /app/server
ENTRYPOINT ["/app/server"]
