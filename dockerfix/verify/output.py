"""What ``dockerfix verify`` prints: a line per file, a table on a terminal, or JSON."""

from __future__ import annotations

from collections.abc import Sequence

from dockerfix.verify.compare import REGRESSION, UNVERIFIABLE, VERIFIED, Side
from dockerfix.verify.session import FileVerdict


def exit_code(verdicts: Sequence[FileVerdict], errors: int = 0) -> int:
    """0: every changed file verified; 1: a regression or an unverifiable file; 2: errors."""
    if errors:
        return 2
    return 0 if all(v.status == VERIFIED for v in verdicts) else 1


def size_text(size: int | None) -> str:
    """``12.3 MB`` (decimal units, as engines print them)."""
    if size is None:
        return "?"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _uid(side: Side) -> str:
    if side.run is None or side.run.uid is None:
        return "?"
    return str(side.run.uid)


def _size(side: Side) -> int | None:
    return side.image.size if side.image is not None else None


def line(verdict: FileVerdict) -> str:
    """``PATH: VERIFIED (size 432.0 MB -> 9.1 MB, uid 0 -> 65532; exit status 0, same output)``."""
    if verdict.status == VERIFIED:
        facts = (
            f"size {size_text(_size(verdict.before))} -> {size_text(_size(verdict.after))}, "
            f"uid {_uid(verdict.before)} -> {_uid(verdict.after)}"
        )
        return f"{verdict.path}: {VERIFIED} ({facts}; {verdict.why})"
    return f"{verdict.path}: {verdict.status}: {verdict.why}"


def text(verdicts: Sequence[FileVerdict]) -> str:
    """One line per file."""
    return "".join(line(v) + "\n" for v in verdicts)


def json_document(
    verdicts: Sequence[FileVerdict], engine: str | None, code: int, errors: Sequence[str] = ()
) -> str:
    """Every measurement, as JSON."""
    import json

    from dockerfix import __version__

    counts = {
        s: sum(1 for v in verdicts if v.status == s) for s in (VERIFIED, REGRESSION, UNVERIFIABLE)
    }
    document = {
        "tool": "dockerfix",
        "version": __version__,
        "mode": "verify",
        "engine": engine,
        "exit_code": code,
        "summary": {"files": len(verdicts), **{k.lower(): n for k, n in counts.items()}},
        "errors": list(errors),
        "files": [v.as_dict() for v in verdicts],
    }
    return json.dumps(document, indent=2) + "\n"


def print_table(verdicts: Sequence[FileVerdict], color: bool | None) -> None:
    """A table on stderr (a terminal): status, size and uid before -> after, start time."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="dockerfix verify", title_justify="left")
    for heading in ("file", "status", "size before -> after", "uid", "start"):
        table.add_column(heading)
    styles = {VERIFIED: "green", REGRESSION: "bold red", UNVERIFIABLE: "yellow"}
    for v in verdicts:
        start = "?"
        if v.after.run is not None and v.before.run is not None:
            start = f"{v.before.run.seconds:.1f} s -> {v.after.run.seconds:.1f} s"
        table.add_row(
            v.path,
            f"[{styles[v.status]}]{v.status}[/]",
            f"{size_text(_size(v.before))} -> {size_text(_size(v.after))}",
            f"{_uid(v.before)} -> {_uid(v.after)}",
            start,
        )
    Console(stderr=True, no_color=color is False, highlight=False).print(table)
