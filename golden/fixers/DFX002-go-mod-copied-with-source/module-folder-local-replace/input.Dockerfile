FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -C backend -o /out/api ./cmd/api
CMD ["/out/api"]
