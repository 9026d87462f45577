FROM golang:1.22
WORKDIR /app
COPY . .
ENV CGO_ENABLED=0
RUN go build -o /app/server .
# dockerfix: ignore=DFX001 (the image is also our dev shell)
CMD ["/app/server"]
