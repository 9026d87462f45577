# syntax=docker/dockerfile:1
FROM alpine
RUN <<EOF
set -e
echo "$HOME"
EOF
RUN <<-EOT
	echo indented
	EOT
RUN <<'RAW' cat > /x
$NOT_EXPANDED
RAW
RUN 3<<"QUOTED" cat <&3
line
QUOTED
COPY <<A <<B /dest/
first
A
second
B
ADD <<-CFG /etc/app.conf
	key = value
CFG
RUN << SPACED
spaced word
SPACED
RUN ["echo", "<<NOTHEREDOC"]
