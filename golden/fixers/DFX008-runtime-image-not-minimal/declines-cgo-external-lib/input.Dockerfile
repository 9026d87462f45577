FROM golang:1.23-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libvips-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /out/app .

FROM debian:bookworm-slim
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
