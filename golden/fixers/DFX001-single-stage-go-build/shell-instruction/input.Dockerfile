FROM golang:1.22-alpine
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
WORKDIR /app
COPY . .
RUN go build -o /app/server . | tee build.log
CMD ["/app/server"]
