FROM golang:1.22
WORKDIR /src
COPY . .
RUN cd backend && go build -o /out/api ./cmd/api
CMD ["/out/api"]
