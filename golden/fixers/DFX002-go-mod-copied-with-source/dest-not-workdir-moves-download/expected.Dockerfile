FROM golang:1.22
COPY go.mod go.sum* /src/
RUN cd /src && go mod download
COPY . /src
WORKDIR /src
RUN go build -o /out/app .
