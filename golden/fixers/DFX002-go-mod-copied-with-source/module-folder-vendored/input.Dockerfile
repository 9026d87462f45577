FROM golang:1.22
WORKDIR /src
COPY backend/ .
RUN go build -o /out/api ./cmd/api
CMD ["/out/api"]
