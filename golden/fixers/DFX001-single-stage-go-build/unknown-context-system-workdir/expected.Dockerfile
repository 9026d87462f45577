FROM golang:1.22
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/server .
CMD ["server"]
