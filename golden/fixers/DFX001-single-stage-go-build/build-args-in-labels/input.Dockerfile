ARG VERSION=dev
FROM golang:1.22-alpine
ARG COMMIT
WORKDIR /app
COPY . .
RUN go build -ldflags "-X main.commit=$COMMIT" -o /app/api .
LABEL version=$VERSION commit=$COMMIT
ENTRYPOINT ["/app/api"]
