FROM golang:1.23
WORKDIR /src
COPY . .
ENV CGO_ENABLED=1
RUN go build -o /usr/local/bin/lookup .
CMD ["/usr/local/bin/lookup"]
