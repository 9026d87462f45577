from golang:1.22
workdir /src
copy go.mod go.sum* ./
run go mod download
copy . .
run go build -o /out/app .
