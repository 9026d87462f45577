from golang:1.23 as builder
workdir /src
copy . .
run CGO_ENABLED=0 go build -o /out/app ./cmd/app

from gcr.io/distroless/base-debian13
copy --from=builder /out/app /app
user 65532:65532
entrypoint ["/app"]
