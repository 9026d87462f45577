FROM golang:1.22
WORKDIR /src
COPY . .
ENV GOPROXY=https://proxy.example.com,direct
RUN go build -o /out/app .
