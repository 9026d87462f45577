FROM golang:1.23 AS base
ONBUILD COPY . /src
ONBUILD RUN <<EOF
go build ./...
EOF
onbuild run echo lower
