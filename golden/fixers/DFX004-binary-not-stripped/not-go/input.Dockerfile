FROM rust:1.80
RUN cargo build --release
