FROM --platform=$BUILDPLATFORM golang:1.23 AS build
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,source=.,target=/src \
    --network=none --security=insecure \
    GOOS=$TARGETOS go build -o /out/app /src
FROM scratch
COPY --from=build --chown=65532:65532 --chmod=0755 --link /out/app /app
ADD --checksum=sha256:abc --keep-git-dir=true https://example.com/x.tar.gz /x
COPY --link	--from=build /out/app /app2
