FROM alpine
ENV LEGACY value with spaces
ENV A=1 B="two words" C='x y' D=a\ b
LABEL org.opencontainers.image.title="demo" version=1.0
LABEL legacy label value
ARG NAME
ARG WITH_DEFAULT=1 OTHER="quoted"
env lower=case
