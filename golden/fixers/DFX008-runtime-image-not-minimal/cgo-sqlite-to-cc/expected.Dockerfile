FROM golang:1.23-bookworm AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/cc-debian13
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
