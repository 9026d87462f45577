"""Parse -> print is byte-identical: the corpus, the golden cases, generated files."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerfix
from dockerfix.errors import ParseError

from .conftest import GOLDEN, corpus_dir, corpus_files

REJECTED = {"shykes-nested-json", "env_no_value", "line-too-long"}
EMPTY = {"empty_dockerfile", "only_comments"}


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize(
    "path", corpus_files(), ids=lambda p: str(p.relative_to(p.parents[2]))
)
def test_corpus_roundtrip(path: Path) -> None:
    corpus_dir()
    text = _read(path)
    if path.parent.name in REJECTED:
        with pytest.raises(ParseError):
            dockerfix.parse(text)
        return
    tree = dockerfix.parse(text)
    assert tree.code == text
    if path.parent.name in EMPTY:
        assert tree.instructions == ()
    else:
        assert tree.instructions


def test_corpus_present() -> None:
    root = corpus_dir()
    assert len(corpus_files()) > 100, root


GOLDEN_ROUNDTRIP = sorted((GOLDEN / "roundtrip").glob("*"))


@pytest.mark.parametrize("path", GOLDEN_ROUNDTRIP, ids=lambda p: p.name)
def test_golden_roundtrip(path: Path) -> None:
    text = _read(path)
    tree = dockerfix.parse(text)
    assert tree.code == text
    assert tree.instructions


def test_golden_roundtrip_cases_exist() -> None:
    assert len(GOLDEN_ROUNDTRIP) >= 10
