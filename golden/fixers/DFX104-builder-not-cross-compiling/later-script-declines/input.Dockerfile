FROM golang:1.23 AS builder
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN go build -o /out/app .
RUN ./scripts/smoke-test.sh /out/app

FROM gcr.io/distroless/static-debian13
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
