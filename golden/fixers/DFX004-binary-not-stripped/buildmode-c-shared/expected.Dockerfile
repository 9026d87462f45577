FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -buildmode=c-shared -o /out/libapp.so ./lib && go build -ldflags '-w -s' -o /out/app .
