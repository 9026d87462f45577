FROM golang:1.23
ENV GOCACHE=/cache/build GOMODCACHE=/cache/mod
RUN go build -o /app .
