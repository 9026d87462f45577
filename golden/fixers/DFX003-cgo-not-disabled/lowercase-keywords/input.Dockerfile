from golang:1.22 as build
workdir /src
copy . .
run go build -o /out/app .
