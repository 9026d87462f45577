"""Hypothesis strategies that mutate real Dockerfiles, and the helpers the fuzz tests share.

A mutated file starts as one of the corpus's real Dockerfiles (``go-real/``, ``non-go/`` and
BuildKit's own test files) and goes through a few edits drawn from ``MUTATIONS``: inserted
line continuations, backticks, quotes, heredoc markers, NUL bytes, byte-order marks, CRLF
line ends, very long tokens, the ``# escape=`` directive, deleted, swapped and duplicated
lines, truncation. ``mutated_bytes`` also splices in bytes that are not UTF-8.

Profiles: the normal test run draws a few examples per test (``FUZZ_EXAMPLES``); set
``DOCKERFIX_FUZZ=long`` (and optionally ``DOCKERFIX_FUZZ_EXAMPLES=N``, default 5,000) for
the long campaign documented in docs/RELIABILITY.md.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from hypothesis import strategies as st

import dockerfix
from dockerfix import cst
from dockerfix.errors import ParseError

from .conftest import corpus_files

LONG = os.environ.get("DOCKERFIX_FUZZ", "").lower() == "long"
LONG_EXAMPLES = int(os.environ.get("DOCKERFIX_FUZZ_EXAMPLES", "5000"))


def examples(short: int) -> int:
    """How many examples a fuzz test draws: ``short`` normally, many more in the long run."""
    return max(short, LONG_EXAMPLES) if LONG else short


def _corpus_texts() -> list[str]:
    texts: list[str] = []
    for path in corpus_files("go-real") + corpus_files("non-go") + corpus_files(
        "buildkit-parser", "testfiles"
    ):
        try:
            texts.append(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:  # pragma: no cover - the corpus is UTF-8
            continue
    return texts


#: The seeds: real Dockerfiles, decoded without newline translation.
SEEDS: list[str] = _corpus_texts()

HEREDOC_MARKERS = ["<<EOF", "<<-EOF", "<<'EOF'", '<<"EOF"', "<<EOF cat", "<<", "<<-", "EOF"]
QUOTES = ["'", '"', '\\"', "\\'", '"\'"']
LONG_UNITS = ["a", "x ", "$", "${", "-", "=", "/", "\\", "`", '"', "'", "a=b ", "-o ", " "]


def _insert(text: str, pos: int, what: str) -> str:
    return text[:pos] + what + text[pos:]


@st.composite
def _position(draw: st.DrawFn, text: str) -> int:
    return draw(st.integers(0, len(text)))


@st.composite
def _line_index(draw: st.DrawFn, lines: list[str]) -> int:
    return draw(st.integers(0, max(len(lines) - 1, 0)))


def _mut_insert(choices: st.SearchStrategy[str]) -> Callable[[st.DrawFn, str], str]:
    def mutate(draw: st.DrawFn, text: str) -> str:
        return _insert(text, draw(_position(text)), draw(choices))

    return mutate


def _mut_continuation(draw: st.DrawFn, text: str) -> str:
    marker = draw(st.sampled_from(["\\\n", "\\", "`\n", " \\  \n", "\\\r\n", "\\\n\n", "\\\n#c\n"]))
    return _insert(text, draw(_position(text)), marker)


def _mut_long_token(draw: st.DrawFn, text: str) -> str:
    unit = draw(st.sampled_from(LONG_UNITS))
    size = draw(st.sampled_from([100, 5_000, 40_000, 70_000]))
    return _insert(text, draw(_position(text)), unit * (size // len(unit)))


def _mut_crlf(draw: st.DrawFn, text: str) -> str:
    if draw(st.booleans()):
        return text.replace("\r\n", "\n").replace("\n", "\r\n")
    lines = text.splitlines(keepends=True)
    if not lines:
        return "\r\n"
    i = draw(_line_index(lines))
    lines[i] = lines[i].rstrip("\r\n") + "\r\n"
    return "".join(lines)


def _mut_bom(draw: st.DrawFn, text: str) -> str:
    where = draw(st.sampled_from(["start", "start", "anywhere", "twice"]))
    if where == "start":
        return "\ufeff" + text
    if where == "twice":
        return "\ufeff\ufeff" + text
    return _insert(text, draw(_position(text)), "\ufeff")


def _mut_delete_line(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if lines:
        del lines[draw(_line_index(lines))]
    return "".join(lines)


def _mut_swap_lines(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) >= 2:
        i, j = draw(_line_index(lines)), draw(_line_index(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def _mut_duplicate_line(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if lines:
        i = draw(_line_index(lines))
        lines.insert(draw(_line_index(lines)), lines[i])
    return "".join(lines)


def _mut_truncate(draw: st.DrawFn, text: str) -> str:
    return text[: draw(_position(text))]


def _mut_escape_directive(draw: st.DrawFn, text: str) -> str:
    directive = draw(
        st.sampled_from(
            ["# escape=`\n", "# escape=\\\n", "# syntax=docker/dockerfile:1\n", "#escape=`\r\n"]
        )
    )
    return directive + text


def _mut_unicode(draw: st.DrawFn, text: str) -> str:
    chunk = draw(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8))
    return _insert(text, draw(_position(text)), chunk)


MUTATIONS: dict[str, Callable[[st.DrawFn, str], str]] = {
    "continuation": _mut_continuation,
    "backtick": _mut_insert(st.sampled_from(["`", "``", "`\n", "$(`x`)"])),
    "quote": _mut_insert(st.sampled_from(QUOTES)),
    "heredoc": _mut_insert(st.sampled_from(HEREDOC_MARKERS)),
    "nul": _mut_insert(st.sampled_from(["\x00", "\x00\x00", "a\x00b"])),
    "bom": _mut_bom,
    "crlf": _mut_crlf,
    "long-token": _mut_long_token,
    "delete-line": _mut_delete_line,
    "swap-lines": _mut_swap_lines,
    "duplicate-line": _mut_duplicate_line,
    "truncate": _mut_truncate,
    "directive": _mut_escape_directive,
    "unicode": _mut_unicode,
    "blank-lines": _mut_insert(st.sampled_from(["\n", "\n\n", " \n", "\t\n", "\r"])),
    "shell-ish": _mut_insert(
        st.sampled_from(["$(", "${", "}", "&&", "||", ";", "|", "#", "--", "=", " ", "\t"])
    ),
}


@st.composite
def mutated_text(draw: st.DrawFn, max_mutations: int = 4) -> str:
    """A real Dockerfile after one to ``max_mutations`` mutations."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, max_mutations))):
        name = draw(st.sampled_from(sorted(MUTATIONS)))
        text = MUTATIONS[name](draw, text)
    return text


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """``mutated_text`` as UTF-8, sometimes with bytes that are not UTF-8 spliced in."""
    data = draw(mutated_text()).encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        pos = draw(st.integers(0, len(data)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xfe\xff", b"\x80"]))
        data = data[:pos] + bad + data[pos:]
    return data


def parse_or_located_error(text: str) -> cst.Dockerfile | None:
    """The tree of ``text``; or None, once the ``ParseError`` is checked to point into it."""
    try:
        return dockerfix.parse(text)
    except ParseError as exc:
        error = exc
    assert error.line >= 1
    assert error.column >= 1
    assert error.line <= text.count("\n") + 2, (error.line, error.message)
    return None


class Hang(Exception):
    """The code under test ran past its deadline."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise ``Hang`` in the main thread when the block runs longer than ``seconds``.

    Pure-Python loops and the regular-expression engine both see the signal. Outside the
    main thread (or without SIGALRM) the block simply runs.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def official_accepts(text: str) -> bool:
    """True when the official BuildKit parser (PyPI ``dockerfile``) accepts ``text``.

    The binding passes text as a C string, so input with a NUL is judged by dockerfix's
    own rule instead (callers skip the comparison for it).
    """
    import dockerfile

    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return False
    return True


def write_tree(root: Path, name: str, data: bytes) -> Path:
    """``root/app/<name>`` holding ``data``; returns the file."""
    path = root / "app" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
