FROM golang:1.22
RUN CGO_ENABLED=0 GOOS=linux go build -installsuffix cgo -o app .
