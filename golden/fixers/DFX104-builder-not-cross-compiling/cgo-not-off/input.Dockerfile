FROM golang:1.23 AS builder
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM gcr.io/distroless/static-debian13
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
