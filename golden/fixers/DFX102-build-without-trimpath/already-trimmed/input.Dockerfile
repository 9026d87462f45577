FROM golang:1.23
RUN go build -trimpath -o /app . && GOFLAGS=-trimpath go install ./cmd/tool
ENV GOFLAGS="-mod=vendor -trimpath"
RUN go build -o /app2 ./cmd/two
