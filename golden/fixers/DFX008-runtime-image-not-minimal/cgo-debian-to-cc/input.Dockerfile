FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM debian:bookworm-slim
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
