FROM golang:1.22
WORKDIR /src
COPY main.go .
RUN go build -o /out/app main.go
COPY . .
