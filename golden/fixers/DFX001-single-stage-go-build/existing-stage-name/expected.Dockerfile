FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/api ./cmd/api
FROM gcr.io/distroless/static-debian13
WORKDIR /src
COPY --from=build /src /src
COPY --from=build /out/api /out/api
ENTRYPOINT ["/out/api"]
