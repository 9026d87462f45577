"""The fixer on real Dockerfiles: Go files are fixed safely, non-Go files are untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerfix

from .conftest import corpus_dir, corpus_files

GO_REAL = corpus_files("go-real")
NON_GO = corpus_files("non-go")


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("path", GO_REAL, ids=lambda p: p.name)
def test_go_real_files_are_fixed_safely(path: Path) -> None:
    corpus_dir()
    import dockerfile

    text = _text(path)
    result = dockerfix.fix(text)
    assert result.internal_error is None
    dockerfile.parse_string(result.text)  # the official parser accepts the output
    assert dockerfix.fix(result.text).text == result.text  # a second run changes nothing
    for d in result.diagnostics:
        assert d.fixed or d.reason, d


@pytest.mark.parametrize("path", NON_GO, ids=lambda p: p.name)
def test_non_go_files_come_out_byte_identical(path: Path) -> None:
    corpus_dir()
    text = _text(path)
    result = dockerfix.fix(text)
    assert result.text == text
    assert result.diagnostics == []
    assert result.created_files == {}


def test_corpus_sizes() -> None:
    corpus_dir()
    assert len(GO_REAL) == 62
    assert len(NON_GO) == 22
