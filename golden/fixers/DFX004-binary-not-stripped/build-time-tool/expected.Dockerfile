FROM golang:1.22 AS build
WORKDIR /src
COPY . .
# the generator runs here and is not shipped
RUN go build -o /usr/local/bin/gen ./tools/gen && gen -out internal/table.go
RUN CGO_ENABLED=0 go build -ldflags '-w -s' -o /out/server ./cmd/server

FROM scratch
COPY --from=build /out/server /server
ENTRYPOINT ["/server"]
