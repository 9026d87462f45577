from golang:1.22
workdir /src
copy . .
run go build -ldflags '-w -s' -o /out/app .
