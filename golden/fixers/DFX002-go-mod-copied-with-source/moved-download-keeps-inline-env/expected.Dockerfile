FROM golang:1.22
WORKDIR /src
COPY go.mod go.sum* ./
RUN GOPROXY=https://proxy.example.com go mod download
COPY . .
RUN go build -o /out/app .
