FROM golang:1.22
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /src
COPY . .
RUN go install ./cmd/...
