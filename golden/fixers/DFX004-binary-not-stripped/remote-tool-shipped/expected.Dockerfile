# the health probe is installed in its own stage and shipped beside the server
FROM golang:1.22 AS tools
RUN CGO_ENABLED=0 go install -ldflags '-w -s' github.com/grpc-ecosystem/grpc-health-probe@v0.4.28

FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -ldflags '-w -s' -o /out/server .

FROM gcr.io/distroless/static-debian13
COPY --from=tools /go/bin/grpc-health-probe /bin/
COPY --from=build /out/server /server
ENTRYPOINT ["/server"]
