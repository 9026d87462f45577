FROM golang:1.22-alpine AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/who .

FROM alpine:3.20
RUN apk add --no-cache ca-certificates
COPY --from=build /out/who /usr/local/bin/who
USER nobody
ENTRYPOINT ["/usr/local/bin/who"]
