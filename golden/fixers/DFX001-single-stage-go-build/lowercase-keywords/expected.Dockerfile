from golang:1.22-alpine as builder
workdir /src
copy . .
run go build -o app ./cmd/app
from gcr.io/distroless/static-debian13
workdir /src
copy --from=builder /src /src
expose 8080
entrypoint ["/src/app"]
