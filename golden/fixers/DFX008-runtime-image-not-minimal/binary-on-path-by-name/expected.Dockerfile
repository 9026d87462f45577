FROM golang:1.22 AS build
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /out/n22 .

FROM gcr.io/distroless/static-debian13
COPY --from=build /out/n22 /usr/local/bin/n22
EXPOSE 8080
CMD ["n22"]
