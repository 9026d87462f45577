FROM golang:1.25-trixie AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM debian:trixie-slim
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
