FROM golang:1.22
ENV CGO_ENABLED 0
WORKDIR /src
COPY . .
RUN go build -o /out/app .
