FROM alpine:3.20
RUN apk add --no-cache go
WORKDIR /app
COPY . .
RUN go build -o /app/server .
CMD ["/app/server"]
