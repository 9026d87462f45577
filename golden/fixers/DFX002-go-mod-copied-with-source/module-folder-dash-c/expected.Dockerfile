FROM golang:1.22
WORKDIR /src
COPY --chown=1000:1000 backend/go.mod backend/go.sum backend/
RUN cd backend && go mod download
COPY --chown=1000:1000 . .
RUN go build -C backend -o /out/api ./cmd/api
CMD ["/out/api"]
