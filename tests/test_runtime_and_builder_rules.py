"""DFX006, DFX007 and the opt-in builder rules DFX101-DFX104 on the real-world corpus.

The default-rule corpus test (``test_fixer_corpus``) does not select the opt-in rules; this
one runs every rule together, and DFX007 with a build context, on every ``go-real`` file:
nothing raises, the output parses with the official parser, a second run changes nothing,
and no internal error is reported. Non-Go files stay byte-identical and get no
``.dockerignore``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerfix
from dockerfix.facts import stagegraph
from dockerfix.fixer import edits

from .conftest import corpus_dir, corpus_files

GO_REAL = corpus_files("go-real")
NON_GO = corpus_files("non-go")
ALL_RULES = ["DFX"]
MINE = ["DFX006", "DFX007", "DFX101", "DFX102", "DFX103", "DFX104"]


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("path", GO_REAL, ids=lambda p: p.name)
@pytest.mark.parametrize("select", [ALL_RULES, MINE], ids=["all-rules", "these-rules"])
def test_go_real_with_opt_in_rules(path: Path, select: list[str], tmp_path: Path) -> None:
    corpus_dir()
    import dockerfile

    text = _text(path)
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.23\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    for where in (None, str(tmp_path / "Dockerfile")):
        result = dockerfix.fix(text, where, select=select)
        assert result.internal_error is None
        dockerfile.parse_string(result.text)
        assert dockerfix.fix(result.text, where, select=select).text == result.text
        for d in result.diagnostics:
            assert d.fixed or d.reason, d
        if where is None:
            assert result.created_files == {}


@pytest.mark.parametrize("path", NON_GO, ids=lambda p: p.name)
def test_non_go_untouched_by_these_rules(path: Path, tmp_path: Path) -> None:
    corpus_dir()
    text = _text(path)
    result = dockerfix.fix(text, str(tmp_path / "Dockerfile"), select=MINE)
    assert result.text == text
    assert result.diagnostics == []
    assert result.created_files == {}


# -- helpers ------------------------------------------------------------------------------


def _ins(text: str, index: int = 0) -> dockerfix.cst.Instruction:
    return dockerfix.parse(text).instructions[index]


@pytest.mark.parametrize(
    ("source", "word", "expected"),
    [
        ("RUN go build -a -o x .\n", "-a", "RUN go build -o x .\n"),
        ("RUN go build -o x -a\n", "-a", "RUN go build -o x\n"),
        ("RUN go build \\\n  -a \\\n  -o x .\n", "-a", "RUN go build \\\n  -o x .\n"),
        ("RUN go build \\\n  -a -o x .\n", "-a", "RUN go build \\\n  -o x .\n"),
        (
            "RUN go build -o x . \\\n  && go build -a y\n",
            "-a",
            "RUN go build -o x . \\\n  && go build y\n",
        ),
        (
            "RUN go build \\\n# c\n  -a \\\n# d\n  -o x\n",
            "-a",
            "RUN go build \\\n# c\n# d\n  -o x\n",
        ),
    ],
)
def test_remove_word(source: str, word: str, expected: str) -> None:
    ins = _ins(source)
    start = ins.logical.index(" " + word) + 1
    new = edits.remove_word(ins, start, start + len(word))
    assert new is not None
    assert new.code == expected
    assert dockerfix.parse(new.code).code == new.code


def test_remove_word_declines_a_last_line_after_comment_lines() -> None:
    ins = _ins("RUN go build -o x \\\n# c\n  -a\n")
    start = ins.logical.rindex("-a")
    assert edits.remove_word(ins, start, start + 2) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("RUN go build\n", "go build"),
        ("RUN --mount=type=cache,target=/x  go build\n", "go build"),
        ("FROM --platform=$BUILDPLATFORM golang AS b\n", "golang AS b"),
        ("USER   root  \n", "root"),
    ],
)
def test_arguments_span(source: str, expected: str) -> None:
    ins = _ins(source)
    start, end = edits.arguments_span(ins)
    assert ins.logical[start:end] == expected


def test_stage_graph() -> None:
    tree = dockerfix.parse(
        "ARG BASE=golang:1.23\nFROM ${BASE} AS Base\nRUN go build -o /app .\n"
        "FROM base AS test\nRUN go test ./...\n"
        "FROM alpine AS certs\n"
        "FROM scratch\nCOPY --from=0 /app /app\nCOPY --from=certs /etc/ssl /etc/ssl\n"
    )
    base, test, certs, final = tree.stages
    parent = stagegraph.base_stage(tree, test)
    assert parent is not None
    assert parent.index == base.index
    assert [s.index for s in stagegraph.chain(tree, test)] == [1, 0]
    assert stagegraph.root_image(tree, test) == "golang:1.23"
    assert [s.index for s in stagegraph.descendants(tree, base)] == [1]
    assert stagegraph.is_go_build_stage(tree, base)
    assert not stagegraph.is_go_build_stage(tree, certs)
    assert stagegraph.is_go_build_stage(tree, final)
    assert [s.index for s in stagegraph.go_build_stages(tree, final)] == [0]
    assert stagegraph.official_name("docker.io/library/alpine:3.20") == "alpine"
    assert stagegraph.official_name("mirror.gcr.io/library/golang") == "golang"
