FROM golang:1.22 AS build
WORKDIR /src
COPY . .
# dockerfix: ignore=DFX004
RUN go build -o /out/app .
