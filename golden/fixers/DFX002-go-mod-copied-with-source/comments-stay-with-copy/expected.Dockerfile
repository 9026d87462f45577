FROM golang:1.22
WORKDIR /src
COPY go.mod go.sum* ./
RUN go mod download
# copy our sources into the builder image
COPY . .
# compile
RUN go build -o /out/app .
