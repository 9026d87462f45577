FROM golang:1.22
WORKDIR /src
COPY backend/go.mod backend/go.sum backend/
RUN cd backend && go mod download
COPY . .
WORKDIR /src/backend
RUN go build -o /out/api ./cmd/api
CMD ["/out/api"]
