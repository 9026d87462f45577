FROM golang:1.22-alpine
WORKDIR /src
COPY . .
RUN go build -o server . && mv server /usr/local/bin/
CMD ["server"]
