FROM golang:1.23-alpine AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
COPY docker-entrypoint.sh /
ENTRYPOINT ["/docker-entrypoint.sh"]
