"""Unified diffs that ``patch -p1`` and ``git apply`` apply as they are.

Lines are split on ``\\n`` only, so a CRLF file diffs as CRLF lines and a
byte-order mark stays on the first line: the patch matches the file's bytes.
A last line without a newline gets ``\\ No newline at end of file``, which
``difflib`` does not add by itself. Colour is ANSI, added line by line, and
only when the caller asks for it.
"""

from __future__ import annotations

import difflib
import os

NO_NEWLINE = "\\ No newline at end of file\n"

_RESET = "\033[0m"
_STYLES = (
    ("+++", "\033[1m"),
    ("---", "\033[1m"),
    ("@@", "\033[36m"),
    ("+", "\033[32m"),
    ("-", "\033[31m"),
    ("\\", "\033[2m"),
)


def split_lines(text: str) -> list[str]:
    """``text`` cut after every ``\\n`` (a ``\\r`` stays part of its line)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def diff_label(path: str, prefix: str) -> str:
    """``a/<path relative to the current directory>`` (POSIX separators)."""
    relative = os.path.relpath(os.path.abspath(path))
    return prefix + relative.replace(os.sep, "/")


def unified_diff(old: str, new: str, old_label: str, new_label: str, context: int = 3) -> str:
    """The unified diff from ``old`` to ``new``; empty when they are equal."""
    if old == new:
        return ""
    out: list[str] = []
    for line in difflib.unified_diff(
        split_lines(old), split_lines(new), old_label, new_label, n=context
    ):
        if line.startswith(("---", "+++")) and not line.endswith("\n"):
            line += "\n"  # difflib leaves the header lines unterminated with lineterm=""
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n" + NO_NEWLINE)
    return "".join(out)


def file_diff(old: str, new: str, path: str) -> str:
    """The diff of one file, labelled ``a/PATH`` and ``b/PATH`` relative to the cwd."""
    return unified_diff(old, new, diff_label(path, "a/"), diff_label(path, "b/"))


def new_file_diff(text: str, path: str) -> str:
    """The diff that creates ``path`` with ``text`` (``--- /dev/null``)."""
    return unified_diff("", text, "/dev/null", diff_label(path, "b/"))


def colorize(diff: str) -> str:
    """``diff`` with ANSI colours by line prefix (headers bold, hunks cyan, +green, -red)."""
    out: list[str] = []
    for line in split_lines(diff):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        for prefix, style in _STYLES:
            if line.startswith(prefix):
                out.append(f"{style}{body}{_RESET}{ending}")
                break
        else:
            out.append(line)
    return "".join(out)
