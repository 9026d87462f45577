from golang:1.22 as build
env CGO_ENABLED=0 GOOS=linux
workdir /src
copy . .
run go build -o /out/app .
