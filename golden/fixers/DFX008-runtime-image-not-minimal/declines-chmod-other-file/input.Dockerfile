FROM golang:1.22-alpine AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM alpine:3.20
COPY --from=builder /out/app /usr/local/bin/app
COPY run.sh /usr/local/bin/run.sh
RUN chmod +x /usr/local/bin/run.sh /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
