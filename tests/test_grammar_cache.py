"""The LALR tables: built by Lark from the grammar file, cached, robust to cache trouble."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dockerfix.grammar import lalr


def _fresh_tables(monkeypatch: pytest.MonkeyPatch, cache: Path) -> lalr.Tables:
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(cache))
    return lalr.load_tables()


def test_tables_are_cached_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _fresh_tables(monkeypatch, tmp_path)
    files = list(tmp_path.rglob("lalr-*.marshal"))
    assert len(files) == 1
    again = _fresh_tables(monkeypatch, tmp_path)
    assert again.states == first.states
    assert again.rules == first.rules


def test_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = _fresh_tables(monkeypatch, tmp_path)
    (cache_file,) = tmp_path.rglob("lalr-*.marshal")
    cache_file.write_bytes(b"not marshal data")
    rebuilt = _fresh_tables(monkeypatch, tmp_path)
    assert len(rebuilt.states) == len(good.states)
    assert sorted(rebuilt.rules) == sorted(good.rules)


def test_read_only_or_missing_cache_dir_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    tables = _fresh_tables(monkeypatch, blocker / "cache")  # cannot be created
    assert tables.states


def test_grammar_is_conflict_free() -> None:
    from lark import Lark

    Lark(Path(lalr.grammar_path()).read_text(), parser="lalr", lexer="basic", strict=True)


def test_warm_start_does_not_import_lark(tmp_path: Path) -> None:
    env = {**os.environ, "DOCKERFIX_CACHE_DIR": str(tmp_path)}
    code = "import sys, dockerfix; dockerfix.parse('FROM a\\n'); print('lark' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == "False"
