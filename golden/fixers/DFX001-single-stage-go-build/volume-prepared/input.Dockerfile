FROM golang:1.22-alpine
RUN mkdir -p /data && chown 1000:1000 /data
WORKDIR /app
COPY . .
RUN go build -o /app/server .
VOLUME /data
USER 1000
CMD ["/app/server"]
