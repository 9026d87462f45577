FROM alpine
MAINTAINER Someone <someone@example.com>
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
  CMD wget -q -O- http://localhost:8080/health || exit 1
HEALTHCHECK NONE
HEALTHCHECK CMD ["/bin/check"]
STOPSIGNAL SIGTERM
USER 65532:65532
VOLUME ["/data", "/cache"]
VOLUME /one /two
EXPOSE 8080/tcp 9090
WORKDIR /srv
