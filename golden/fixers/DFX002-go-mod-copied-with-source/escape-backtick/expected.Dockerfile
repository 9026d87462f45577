# escape=`
FROM golang:1.22
WORKDIR C:/src
COPY go.mod go.sum* ./
RUN go mod download
COPY . .
RUN go build `
    -o app.exe .
