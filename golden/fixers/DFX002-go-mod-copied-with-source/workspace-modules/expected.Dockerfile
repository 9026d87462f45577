FROM golang:1.22
WORKDIR /src
COPY go.work ./
COPY api/go.mod api/
COPY lib/go.mod lib/
RUN go mod download
COPY . .
RUN go build -o /out/api ./api/cmd/api
CMD ["/out/api"]
