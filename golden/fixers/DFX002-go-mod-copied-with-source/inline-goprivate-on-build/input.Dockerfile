FROM golang:1.22
WORKDIR /src
COPY . .
RUN GOPRIVATE=github.com/example go build -o /out/app .
