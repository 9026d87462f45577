FROM golang:1.22-alpine
WORKDIR /src
COPY . .
RUN go install ./cmd/server
CMD ["server", "--addr", ":80"]
