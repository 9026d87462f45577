FROM golang:1.22
COPY . .
RUN go build -o /usr/local/bin/server .
CMD ["server"]
