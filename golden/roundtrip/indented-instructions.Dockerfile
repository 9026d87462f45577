  FROM alpine
	  RUN echo indented
    # indented comment
   
CMD true
