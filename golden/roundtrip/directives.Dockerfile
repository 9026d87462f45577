# syntax=docker/dockerfile:1.7
# check=skip=JSONArgsRecommended;error=true
# escape=\

FROM alpine:3.20
RUN echo hi
