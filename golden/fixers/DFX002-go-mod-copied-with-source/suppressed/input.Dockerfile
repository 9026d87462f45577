FROM golang:1.22
WORKDIR /src
# dockerfix: ignore=DFX002
COPY . .
RUN go build -o /out/app .
