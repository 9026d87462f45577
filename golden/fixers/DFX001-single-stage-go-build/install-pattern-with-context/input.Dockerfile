FROM golang:1.22
WORKDIR /src
COPY . .
RUN go install ./...
EXPOSE 8080
CMD ["api"]
