FROM golang:1.23 AS base
WORKDIR /src
COPY . .

FROM base
RUN go build -o /app .
CMD ["/app"]
