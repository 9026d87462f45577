FROM golang:1.22
RUN go install github.com/air-verse/air@latest
WORKDIR /app
COPY . .
CMD ["air"]
