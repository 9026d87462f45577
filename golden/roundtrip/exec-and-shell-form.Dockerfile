FROM alpine
CMD ["/bin/app", "--port", "8080"]
CMD [ "a" , "b" ]
ENTRYPOINT ["unterminated
CMD ['single', 'quotes']
RUN ["echo", "json"] trailing
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN echo $HOME | tee /log
