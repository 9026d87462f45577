"""Fuzzing with mutated real Dockerfiles: the parser, the fixer and the command line.

The only acceptable outcomes are a result or a clean error (``ParseError`` with a
position; exit 2 with a ``FILE[:LINE:COL]: message`` line), never a traceback or a hang;
and when BuildKit accepts the input and dockerfix fixes it, BuildKit accepts the output.

Short profile in the normal run. The long campaign (docs/RELIABILITY.md)::

    DOCKERFIX_FUZZ=long DOCKERFIX_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import dockerfix
from dockerfix.errors import ParseError

from .clitools import clean_env
from .fuzzing import (
    LONG,
    SEEDS,
    deadline,
    examples,
    mutated_bytes,
    mutated_text,
    official_accepts,
    parse_or_located_error,
    write_tree,
)

pytestmark = pytest.mark.skipif(not SEEDS, reason="the corpus is not available")

#: Seconds one parse or fix may take before it counts as a hang (a 70,000-character
#: token in BuildKit's 20 kB Dockerfile takes well under a second).
HANG = 60
FUZZ = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not LONG,  # the normal run is reproducible; the long one explores
)


def _check_parse(text: str) -> None:
    with deadline(HANG):
        tree = parse_or_located_error(text)
    assert tree is None or tree.code == text


@settings(FUZZ, max_examples=examples(300))
@given(mutated_text())
def test_parser_survives_mutated_dockerfiles(text: str) -> None:
    _check_parse(text)


@settings(FUZZ, max_examples=examples(150))
@given(mutated_text())
def test_fixer_survives_mutated_dockerfiles(text: str) -> None:
    with deadline(HANG):
        try:
            result = dockerfix.fix(text, None)
        except ParseError:
            return  # located errors: test_parser_survives_mutated_dockerfiles
    assert result.internal_error is None, result.internal_error
    if result.text == text or "\x00" in text:
        return
    if official_accepts(text):
        assert official_accepts(result.text), result.text


_LOCATED = r"(:\d+:\d+)?: \S"


def _run(args: list[str], cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dockerfix", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=clean_env(),
        timeout=HANG * 2,
        check=False,
    )


def _assert_clean(done: subprocess.CompletedProcess[bytes], label: str) -> str:
    err = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    if done.returncode == 2:
        first = err.splitlines()[0] if err else ""
        assert re.match(re.escape(label) + _LOCATED, first), err
    return err


@settings(FUZZ, max_examples=examples(6))
@given(mutated_bytes())
def test_command_line_survives_mutated_dockerfiles(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        path = write_tree(root, "Dockerfile", data)
        # stdin mode: fixed text or nothing on stdout, exit 0 or 2
        piped = _run(["-", "--stdin-filename", "app/Dockerfile"], root, data)
        assert piped.returncode in (0, 2), piped.stderr
        _assert_clean(piped, "app/Dockerfile")
        if piped.returncode == 2:
            assert piped.stdout == b""
        # --dump: BuildKit's view or a located error
        dumped = _run(["--dump", "app/Dockerfile"], root)
        assert dumped.returncode in (0, 2), dumped.stderr
        _assert_clean(dumped, "app/Dockerfile")
        # --write: the file is fixed in place or left byte-identical
        written = _run(["--write", "app"], root)
        assert written.returncode in (0, 2), written.stderr
        _assert_clean(written, str(Path("app", "Dockerfile")))
        after = path.read_bytes()
        if written.returncode == 2:
            assert after == data
        if piped.returncode == 0:
            assert after == piped.stdout
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        if after != data and "\x00" not in text and official_accepts(text):
            assert official_accepts(after.decode("utf-8")), after
