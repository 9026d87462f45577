# escape=`
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -ldflags '-w -s' `
    -o /out/app .
