FROM alpine:3.20
ENV CGO_ENABLED=0 GOOS=linux
RUN apk add --no-cache go
WORKDIR /src
COPY . .
RUN go build -o /out/app .
