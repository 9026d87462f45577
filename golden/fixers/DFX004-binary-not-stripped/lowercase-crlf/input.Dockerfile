from golang:1.22
workdir /src
copy . .
run go build -o /out/app .
