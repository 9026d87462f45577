FROM golang:1.9
RUN CGO_ENABLED=0 go build -a -installsuffix cgo -o /app .
