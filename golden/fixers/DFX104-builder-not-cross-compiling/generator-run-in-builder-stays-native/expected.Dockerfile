FROM --platform=$BUILDPLATFORM golang:1.23 AS builder
ARG TARGETOS TARGETARCH
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN go build -o /out/gen ./tools/gen && /out/gen ./api
RUN go install golang.org/x/tools/cmd/stringer@v0.24.0 && go generate ./...
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian13
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
