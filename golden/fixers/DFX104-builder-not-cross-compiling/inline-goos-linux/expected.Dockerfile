from --platform=$BUILDPLATFORM golang:1.23 as builder
arg TARGETARCH
workdir /src
copy . .
run CGO_ENABLED=0 GOOS=linux GOARCH=$TARGETARCH go build -o /out/app .

from gcr.io/distroless/static-debian13
copy --from=builder /out/app /app
entrypoint ["/app"]
