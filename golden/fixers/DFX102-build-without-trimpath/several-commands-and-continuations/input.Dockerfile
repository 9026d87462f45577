FROM golang:1.23-alpine
WORKDIR /src
COPY . .
RUN go build -C tools/gen -o /bin/gen . \
 && go install \
      -ldflags="-X main.version=${VERSION}" \
      ./cmd/...
