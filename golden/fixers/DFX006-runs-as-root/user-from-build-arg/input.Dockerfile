FROM golang:1.23 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM alpine:3.20
ARG APP_UID=10001
USER ${APP_UID}
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
