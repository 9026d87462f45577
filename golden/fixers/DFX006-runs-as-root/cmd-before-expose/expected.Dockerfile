FROM golang:1.23 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM scratch
WORKDIR /app
COPY --from=0 /out/app .
USER 65532:65532
CMD ["/app/app"]
EXPOSE 3000
