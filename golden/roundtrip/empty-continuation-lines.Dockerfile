FROM alpine
RUN echo start \


    middle \

    end
