FROM golang:1.22
WORKDIR /src
COPY . .
RUN export CGO_ENABLED=0 && \
    go build -o /out/app .
