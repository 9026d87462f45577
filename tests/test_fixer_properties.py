"""Hypothesis properties of the fixer on generated Go Dockerfiles.

``fix(fix(x)) == fix(x)``, the output parses and round-trips, no internal error, and
the diagnostics always say whether they were fixed and, if not, why.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import dockerfix

IMAGES = ["golang:1.23", "golang:1.22-alpine", "golang", "docker.io/library/golang:1.21-bookworm",
          "golang:1.23 AS build", "alpine:3.20", "golang:${GO_VERSION}-alpine"]
WORKDIRS = ["", "WORKDIR /app\n", "WORKDIR /src\n", "workdir app\n"]
COPIES = ["COPY . .\n", "COPY ./ ./\n", "COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n",
          "ADD . /src\n", "COPY --chown=1000:1000 . .\n", ""]
BUILDS = [
    "RUN go build -o /app/server ./cmd/server\n",
    "RUN go build -o app .\n",
    "RUN CGO_ENABLED=0 go build -ldflags \"-X main.version=1.0\" -o /bin/app\n",
    "RUN go build -ldflags='-s' -o out/app ./...\n",
    "RUN go mod download && go build -o /app \\\n    ./cmd/app\n",
    "RUN go install ./cmd/tool\n",
    "RUN go build -a -gcflags='all=-N -l' -o /dbg .\n",
    "RUN apk add --no-cache gcc musl-dev && go build -o /app .\n",
    "",
]
TAILS = ["EXPOSE 8080\n", "ENV PORT=8080\n", "LABEL a=b\n", "USER nobody\n", "VOLUME /data\n",
         "RUN chmod +x /app\n", "HEALTHCHECK CMD [\"/app\", \"health\"]\n", ""]
STARTS = [
    'CMD ["/app/server"]\n',
    "CMD ./app --port 8080\n",
    "ENTRYPOINT /app $FLAGS\n",
    'ENTRYPOINT ["/bin/app"]\nCMD ["--help"]\n',
    "CMD exec /app/server\n",
    "",
    "CMD go run .\n",
]


@st.composite
def go_dockerfile(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(["", "# syntax=docker/dockerfile:1\n", "ARG GO_VERSION=1.23\n"]))
    text += "FROM " + draw(st.sampled_from(IMAGES)) + "\n"
    text += draw(st.sampled_from(WORKDIRS))
    text += draw(st.sampled_from(COPIES))
    text += draw(st.sampled_from(BUILDS))
    for tail in draw(st.lists(st.sampled_from(TAILS), max_size=3)):
        text += tail
    text += draw(st.sampled_from(STARTS))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = text.lower().replace("golang:${go_version}", "golang:${GO_VERSION}")
    return text


@given(go_dockerfile(), st.sampled_from([None, "scratch", "gcr.io/distroless/static-debian12"]))
def test_fix_is_idempotent_and_safe(text: str, runtime: str | None) -> None:
    try:
        first = dockerfix.fix(text, runtime_image=runtime)
    except dockerfix.ParseError:
        return  # lower-casing can make an instruction invalid; not the fixer's business
    assert first.internal_error is None, first.internal_error
    assert dockerfix.parse(first.text).code == first.text
    second = dockerfix.fix(first.text, runtime_image=runtime)
    assert second.text == first.text
    assert second.internal_error is None
    for d in first.diagnostics:
        assert d.fixed or d.reason
