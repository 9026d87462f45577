FROM golang:1.22
WORKDIR /src
COPY --from=source / .
RUN go build -o /out/app .
