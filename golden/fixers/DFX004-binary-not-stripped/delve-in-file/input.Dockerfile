FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go install github.com/go-delve/delve/cmd/dlv@latest
RUN go build -o /out/app .
CMD ["dlv", "exec", "/out/app", "--headless", "--listen=:2345"]
