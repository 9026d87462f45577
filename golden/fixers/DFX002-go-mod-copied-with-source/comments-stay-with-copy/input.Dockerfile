FROM golang:1.22
WORKDIR /src
# copy our sources into the builder image
COPY . .
# compile
RUN go build -o /out/app .
