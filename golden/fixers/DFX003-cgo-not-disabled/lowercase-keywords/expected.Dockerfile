from golang:1.22 as build
workdir /src
copy . .
run CGO_ENABLED=0 go build -o /out/app .
