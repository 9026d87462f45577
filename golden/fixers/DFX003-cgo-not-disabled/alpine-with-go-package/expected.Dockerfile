FROM alpine:3.20
RUN apk add --no-cache go
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .
