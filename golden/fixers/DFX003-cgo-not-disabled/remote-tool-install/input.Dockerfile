FROM golang:1.22 AS tools
RUN go install golang.org/x/tools/cmd/stringer@v0.24.0 && go install github.com/go-delve/delve/cmd/dlv@latest
