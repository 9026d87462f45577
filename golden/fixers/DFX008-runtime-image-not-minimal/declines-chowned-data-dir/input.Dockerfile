FROM golang:1.23-alpine AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM alpine:3.20
RUN adduser -D app && mkdir -p /data && chown app /data
COPY --from=build /out/app /app
USER app
ENTRYPOINT ["/app"]
