FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx
FROM golang:1.22-alpine AS build
COPY --from=xx / /
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 xx-go build -o /out/app .
