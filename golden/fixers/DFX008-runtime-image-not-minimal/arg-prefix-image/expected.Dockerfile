ARG PREFIX=mirror.gcr.io/library/
FROM ${PREFIX}golang:1.23-alpine AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM --platform=$TARGETPLATFORM gcr.io/distroless/static-debian13
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
