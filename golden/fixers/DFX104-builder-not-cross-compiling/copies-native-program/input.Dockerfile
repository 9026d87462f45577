FROM golang:1.23-alpine AS builder
ENV CGO_ENABLED=0
RUN apk add --no-cache curl
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM gcr.io/distroless/static-debian13
COPY --from=builder /out/app /app
COPY --from=builder /usr/bin/curl /usr/bin/curl
ENTRYPOINT ["/app"]
