# escape=`
FROM golang:1.22
WORKDIR C:/src
COPY . .
RUN go build `
    -o app.exe .
