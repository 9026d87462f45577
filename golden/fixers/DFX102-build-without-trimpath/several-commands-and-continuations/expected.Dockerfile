FROM golang:1.23-alpine
WORKDIR /src
COPY . .
RUN go build -C tools/gen -trimpath -o /bin/gen . \
 && go install -trimpath \
      -ldflags="-X main.version=${VERSION}" \
      ./cmd/...
