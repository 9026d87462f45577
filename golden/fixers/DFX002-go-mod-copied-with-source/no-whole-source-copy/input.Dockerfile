FROM golang:1.22
WORKDIR /src
COPY *.go ./
RUN go build -o /out/app .
