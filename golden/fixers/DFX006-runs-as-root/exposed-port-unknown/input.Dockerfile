FROM golang:1.23 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM scratch
ARG PORT
COPY --from=builder /out/app /app
EXPOSE ${PORT}
ENTRYPOINT ["/app"]
