FROM golang:1.22
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg git
WORKDIR /app
COPY . .
RUN CGO_ENABLED=0 go build -o /app/transcoder .
CMD ["/app/transcoder"]
