
# escape=`
FROM alpine
RUN echo `
  not-a-continuation
