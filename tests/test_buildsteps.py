"""The per-stage Go steps that DFX002-DFX004 share (``dockerfix.facts.buildsteps``)."""

from __future__ import annotations

import pytest

import dockerfix
from dockerfix.facts import buildsteps, gocmd

STAGES = """\
ARG GO=golang:1.22
FROM ${GO} AS base
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
FROM base AS build
ARG VERSION
ENV GOOS=linux
RUN go build -o /app . && go test ./...
RUN <<EOF
go install ./cmd/tool
EOF
RUN ["go", "build", "-o", "/x", "./x"]
FROM build AS release
FROM alpine AS other
"""


def _command(text: str) -> gocmd.GoCommand:
    (cmd,) = gocmd.find_go_commands(text)
    return cmd


def test_lineage() -> None:
    tree = dockerfix.parse(STAGES)
    base, build, release, other = tree.stages
    assert buildsteps.parent_stage(tree, build) == base
    assert buildsteps.ancestors(tree, release) == [build, base]
    assert buildsteps.ancestors(tree, other) == []
    assert buildsteps.descendants(tree, base) == [build, release]
    assert buildsteps.inherited_env(tree, release) == {
        "CGO_ENABLED": "0",
        "GOFLAGS": "-trimpath",
        "GOOS": "linux",
    }
    assert buildsteps.lineage_env(tree, build)["GOOS"] == "linux"
    assert "VERSION" not in buildsteps.inherited_env(tree, release)  # ARG is not inherited


def test_steps_and_where_they_are() -> None:
    tree = dockerfix.parse(STAGES)
    steps = buildsteps.go_steps(tree.stages[1])
    assert [(s.command.subcommand, s.where, s.editable) for s in steps] == [
        ("build", "shell", True),
        ("test", "shell", True),
        ("install", "heredoc", False),
        ("build", "exec", False),
    ]
    first = steps[0]
    assert first.offset is not None
    logical = first.instruction.logical
    assert logical[first.offset + first.command.start :].startswith("go build -o /app")


@pytest.mark.parametrize(
    ("text", "compiles", "binary"),
    [
        ("go build -o /app .", True, True),
        ("go install ./cmd/...", True, True),
        ("go install golang.org/x/tools/cmd/stringer@latest", False, False),
        ("go build ./...", True, False),
        ("go build -o /dev/null ./cmd/app", True, False),
        ("go build -o /out/ ./...", True, True),
        ("go test -c ./pkg", False, False),
        ("go mod download", False, False),
    ],
)
def test_what_compiles(text: str, compiles: bool, binary: bool) -> None:
    cmd = _command(text)
    assert buildsteps.compiles(cmd) is compiles
    assert buildsteps.produces_binary(cmd) is binary


def test_leading_comments_and_indent() -> None:
    tree = dockerfix.parse("FROM golang\n\n# one\n# two\n  RUN go build .\n")
    run = tree.instructions[1]
    assert [c.text for c in buildsteps.leading_comments(tree, run)] == ["# one", "# two"]
    assert buildsteps.body_indent(tree.stages[0]) == "  "
    assert buildsteps.mentions(["GOOS=$TARGETOS go build"], "TARGETOS")
    assert not buildsteps.mentions(["MY_GOOS=1"], "GOOS")
