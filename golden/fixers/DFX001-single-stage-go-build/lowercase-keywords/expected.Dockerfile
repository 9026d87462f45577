from golang:1.22-alpine as builder
workdir /src
copy . .
run go build -o app ./cmd/app
from gcr.io/distroless/static-debian13
workdir /
copy --from=builder /src/app /app
expose 8080
entrypoint ["/app"]
