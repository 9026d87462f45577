from golang:1.22-alpine
workdir /src
copy . .
run go build -o app ./cmd/app
expose 8080
entrypoint ["./app"]
