FROM alpine
RUN echo one \
    two
ENV A=1
LABEL x=y
