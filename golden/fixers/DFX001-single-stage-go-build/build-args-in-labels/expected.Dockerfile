ARG VERSION=dev
FROM golang:1.22-alpine AS builder
ARG COMMIT
WORKDIR /app
COPY . .
RUN go build -ldflags "-X main.commit=$COMMIT" -o /app/api .
FROM gcr.io/distroless/static-debian13
WORKDIR /app
COPY --from=builder /app /app
ARG COMMIT
LABEL version=$VERSION commit=$COMMIT
ENTRYPOINT ["/app/api"]
