FROM golang:1.22
WORKDIR /src
COPY --chown=1000:1000 --chmod=644 --link go.mod go.sum* ./
RUN go mod download
COPY --chown=1000:1000 --chmod=644 --link --exclude=*.md . .
RUN go build -o /out/app .
