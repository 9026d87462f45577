FROM --platform=linux/amd64 golang:1.23 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian13
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
