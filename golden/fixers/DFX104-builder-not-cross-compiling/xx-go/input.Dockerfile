FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx
FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS builder
COPY --from=xx / /
ARG TARGETPLATFORM
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN xx-go build -o /out/app . && xx-verify /out/app

FROM gcr.io/distroless/static-debian13
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
