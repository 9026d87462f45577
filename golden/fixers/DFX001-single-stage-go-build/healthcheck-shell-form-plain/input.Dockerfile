FROM golang:1.22-alpine
WORKDIR /app
COPY . .
RUN go build -o /app/server .
EXPOSE 8080
HEALTHCHECK --interval=30s CMD /app/server -healthcheck
CMD ["/app/server"]
