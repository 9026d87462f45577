FROM golang:1.22
WORKDIR /src
# the repository root is the build context; the Go module lives in backend/
COPY backend/ .
RUN go build -o /out/api ./cmd/api
CMD ["/out/api"]
