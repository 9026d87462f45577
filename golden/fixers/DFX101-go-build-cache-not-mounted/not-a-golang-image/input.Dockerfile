FROM alpine:3.20
RUN apk add --no-cache go && go build -o /app .
