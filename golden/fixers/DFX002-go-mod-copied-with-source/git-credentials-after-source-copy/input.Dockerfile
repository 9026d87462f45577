FROM golang:1.22
ARG GITHUB_TOKEN
WORKDIR /src
COPY . .
RUN git config --global url."https://${GITHUB_TOKEN}@github.com/".insteadOf "https://github.com/"
RUN go build -o /out/app .
