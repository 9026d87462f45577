FROM debian:bookworm
RUN apt-get update && \
    # the build tools
    apt-get install -y \
        # comment with trailing backslash \
        build-essential \

        curl \
    
    && rm -rf /var/lib/apt/lists/*
