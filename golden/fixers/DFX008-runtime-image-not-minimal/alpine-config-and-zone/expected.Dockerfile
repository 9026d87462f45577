FROM golang:1.22-alpine AS builder
WORKDIR /app
COPY go.mod ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o bin/server ./cmd/server

FROM gcr.io/distroless/static-debian13
ENV TZ=Europe/Berlin
COPY --from=builder /app/bin/server /usr/bin/server
COPY --from=builder /app/configs /etc/app
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["server", "--config", "/etc/app/config.yml"]
