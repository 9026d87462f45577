FROM golang:1.22
WORKDIR /src
RUN --mount=type=bind,source=go.mod,target=go.mod --mount=type=bind,source=go.sum,target=go.sum go mod download
COPY . .
RUN go build -o /out/app .
