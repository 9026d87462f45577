FROM golang:1.23-alpine AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM alpine:3.20
RUN adduser -D -g '' appuser
COPY --from=build /out/app /usr/local/bin/
USER appuser
ENTRYPOINT ["app"]
