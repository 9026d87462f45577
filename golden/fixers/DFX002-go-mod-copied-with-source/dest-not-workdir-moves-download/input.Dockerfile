FROM golang:1.22
COPY . /src
WORKDIR /src
RUN go mod download
RUN go build -o /out/app .
