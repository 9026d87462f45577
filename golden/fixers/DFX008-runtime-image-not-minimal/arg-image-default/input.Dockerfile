ARG RUNTIME=alpine:3.20
FROM golang:1.23-alpine AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM ${RUNTIME}
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
