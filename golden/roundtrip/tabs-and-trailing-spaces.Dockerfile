FROM	alpine:3.20
RUN	echo a \   
		b \	
		c   
ENV	KEY	value with spaces   
