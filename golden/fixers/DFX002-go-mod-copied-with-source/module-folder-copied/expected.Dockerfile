FROM golang:1.22
WORKDIR /src
COPY backend/go.mod backend/go.sum ./
RUN go mod download
# the repository root is the build context; the Go module lives in backend/
COPY backend/ .
RUN go build -o /out/api ./cmd/api
CMD ["/out/api"]
