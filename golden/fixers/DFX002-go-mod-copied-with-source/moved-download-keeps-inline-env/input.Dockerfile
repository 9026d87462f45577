FROM golang:1.22
WORKDIR /src
COPY . .
RUN GOPROXY=https://proxy.example.com go mod download
RUN go build -o /out/app .
