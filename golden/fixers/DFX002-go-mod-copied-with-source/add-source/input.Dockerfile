FROM golang:1.22
WORKDIR /app
ADD . .
RUN go install ./
