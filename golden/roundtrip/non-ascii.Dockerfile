FROM alpine
LABEL description="Überprüfung — 日本語 ✓"
RUN echo 'naïve café' > /menu
