"""What a run says: the exit code, and the output in each ``--format``.

Everything here is plain text built from ``Outcome`` objects; nothing is
printed. Formats:

* ``text`` — for people: findings (report mode), files that would change
  (``--check``) or were fixed (``--write``), one line each, then a summary line;
* ``json`` — every finding and a per-file summary (changed, rules applied,
  rules skipped with their reasons, files created), for bulk-migration tools;
* ``sarif`` — SARIF 2.1.0, for GitHub code scanning;
* ``github`` — GitHub Actions workflow commands (``::warning file=…::…``);
* ``gitlab`` — GitLab Code Quality JSON.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from dockerfix import __version__
from dockerfix.runner import Mode, Outcome, describe_error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from dockerfix.fixer.base import Diagnostic

FORMATS = ("text", "json", "sarif", "github", "gitlab")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/dockerfix/dockerfix"

_BOLD, _RED, _GREEN, _YELLOW, _CYAN, _RESET = (
    "\033[1m",
    "\033[31m",
    "\033[32m",
    "\033[33m",
    "\033[36m",
    "\033[0m",
)


class Report:
    """The outcomes of a run, in path order, and what they add up to."""

    __slots__ = ("exit_zero", "mode", "outcomes")

    def __init__(self, mode: Mode, outcomes: list[Outcome], exit_zero: bool = False) -> None:
        self.mode = mode
        self.outcomes = outcomes
        self.exit_zero = exit_zero

    @property
    def errors(self) -> list[Outcome]:
        """Outcomes that failed."""
        return [o for o in self.outcomes if o.error is not None]

    @property
    def changed(self) -> list[Outcome]:
        """Outcomes that change (or would change) something."""
        return [o for o in self.outcomes if o.would_change]

    @property
    def unchanged(self) -> list[Outcome]:
        """Outcomes with nothing to change."""
        return [o for o in self.outcomes if o.status == "unchanged"]

    @property
    def fixes(self) -> Counter[str]:
        """Fixes per rule code, over the files without errors."""
        return Counter(
            d.code for o in self.outcomes if o.error is None for d in o.diagnostics if d.fixed
        )

    @property
    def exit_code(self) -> int:
        """2 on any error; 1 when report, check or diff mode found changes; else 0."""
        if self.errors:
            return 2
        if self.mode in (Mode.REPORT, Mode.CHECK, Mode.DIFF) and self.changed:
            return 0 if self.exit_zero else 1
        return 0

    def status_of(self, outcome: Outcome, diagnostic: Diagnostic) -> str:
        """``fixed`` (written or printed), ``would-fix`` or ``not-fixed``."""
        if not diagnostic.fixed or outcome.error is not None:
            return "not-fixed"
        if self.mode is Mode.STDIN or (self.mode is Mode.WRITE and outcome.written):
            return "fixed"
        return "would-fix"

    def created_files(self, outcome: Outcome) -> list[str]:
        """Files created next to ``outcome`` (write mode) or that would be (other modes)."""
        if self.mode is Mode.WRITE:
            return list(outcome.created)
        return sorted(outcome.to_create)


def posix(path: str) -> str:
    """``path`` with forward slashes."""
    return path.replace(os.sep, "/")


def relative_uri(path: str) -> str:
    """``path`` relative to the current directory, with forward slashes."""
    return posix(os.path.relpath(os.path.abspath(path)))


# -- text --------------------------------------------------------------------------------


def _paint(color: bool) -> Callable[[str, str], str]:
    def paint(text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    return paint


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def diagnostic_line(path: str, d: Diagnostic, color: bool = False) -> str:
    """``PATH:LINE:COL: CODE [*] message``, or the message and why it was not fixed."""
    paint = _paint(color)
    where = paint(f"{path}:{d.line}:{d.column}:", _BOLD)
    if d.fixed:
        return f"{where} {paint(d.code, _RED)} {paint('[*]', _CYAN)} {d.message}"
    reason = f" (not fixed: {d.reason})" if d.reason else " (not fixed)"
    return f"{where} {paint(d.code, _YELLOW)} {d.message}{reason}"


def render_text(report: Report, color: bool = False, quiet: bool = False) -> str:
    """The text output of a report, check or write run ('' when there is nothing to say).

    ``quiet`` keeps only the findings of report mode (no summary, no file lists).
    """
    if quiet and report.mode is not Mode.REPORT:
        return ""
    paint = _paint(color)
    lines: list[str] = []
    ok = [o for o in report.outcomes if o.error is None]
    if report.mode is Mode.REPORT:
        found = [(o, d) for o in ok for d in o.diagnostics]
        lines += [diagnostic_line(o.path, d, color) for o, d in found]
        if found and not quiet:
            fixable = sum(1 for _, d in found if d.fixed)
            files = len({o.path for o, _ in found})
            line = f"Found {_plural(len(found), 'finding')} in {_plural(files, 'file')}"
            if fixable:
                line += f"; {fixable} fixable with `dockerfix --write`"
            lines.append(line + ".")
    elif report.mode is Mode.CHECK:
        for o in report.changed:
            if o.changed:
                codes = ", ".join(o.rules_applied)
                lines.append(
                    f"Would fix: {paint(o.path, _BOLD)}" + (f" ({codes})" if codes else "")
                )
            lines += [f"Would create: {paint(p, _BOLD)}" for p in sorted(o.to_create)]
        if report.changed:
            lines.append(
                f"{_plural(len(report.changed), 'file')} would be fixed, "
                f"{len(report.unchanged)} unchanged."
            )
    elif report.mode is Mode.WRITE:
        for o in ok:
            if o.written:
                lines.append(f"Fixed: {paint(o.path, _BOLD)} ({', '.join(o.rules_applied)})")
            lines += [f"Created: {paint(p, _BOLD)}" for p in o.created]
            lines += [diagnostic_line(o.path, d, color) for d in o.diagnostics if not d.fixed]
        written = sum(1 for o in ok if o.written)
        created = sum(len(o.created) for o in ok)
        remaining = sum(1 for o in ok for d in o.diagnostics if not d.fixed)
        if written or created or remaining:
            parts = [f"{_plural(written, 'file')} fixed"]
            if created:
                parts.append(f"{_plural(created, 'file')} created")
            parts.append(f"{len(ok) - written} unchanged")
            line = ", ".join(parts)
            if remaining:
                line += f"; {_plural(remaining, 'finding')} not fixed"
            lines.append(line + ".")
    return "".join(line + "\n" for line in lines)


def render_unfixed(report: Report, color: bool = False) -> str:
    """The findings left unfixed, one line each (beside a diff: what it does not do, and why)."""
    lines = [
        diagnostic_line(o.path, d, color)
        for o in report.outcomes
        if o.error is None
        for d in o.diagnostics
        if not d.fixed
    ]
    return "".join(line + "\n" for line in lines)


def render_caveats(report: Report) -> str:
    """The caveats of the fixes applied, ``PATH:LINE:COL: CODE caveat: ...`` one a line.

    Beside a diff, a write or a fixed stdin, they say what a fix changes on purpose (the
    binary moved, a CMD became an ENTRYPOINT) or could not check (no build context).
    """
    lines = [
        f"{o.path}:{d.line}:{d.column}: {d.code} caveat: {caveat}"
        for o in report.outcomes
        if o.error is None
        for d in o.diagnostics
        if d.fixed
        for caveat in d.caveats
    ]
    return "".join(line + "\n" for line in lines)


def error_lines(report: Report) -> list[str]:
    """``FILE:LINE:COL: message`` for every file that failed (for stderr)."""
    return [o.error.located(o.path) for o in report.outcomes if o.error is not None]


# -- json --------------------------------------------------------------------------------


def file_summary(report: Report, outcome: Outcome) -> dict[str, Any]:
    """One file's entry in the JSON output."""
    return {
        "path": posix(outcome.path),
        "status": outcome.status,
        "changed": outcome.would_change,
        "written": outcome.written,
        "rules_applied": outcome.rules_applied,
        "rules_skipped": outcome.rules_skipped,
        "files_created": [posix(p) for p in report.created_files(outcome)],
        "context": posix(outcome.context.directory) if outcome.context else None,
        "context_source": outcome.context.source if outcome.context else None,
        "diagnostics": [
            {"path": posix(outcome.path), **d.as_dict(), "status": report.status_of(outcome, d)}
            for d in outcome.diagnostics
        ],
        "error": describe_error(outcome) if outcome.error is not None else None,
    }


def summary(report: Report) -> dict[str, Any]:
    """The counts of a run."""
    return {
        "files": len(report.outcomes),
        "changed": len(report.changed),
        "unchanged": len(report.unchanged),
        "errors": len(report.errors),
        "files_created": sum(len(report.created_files(o)) for o in report.outcomes),
        "fixes": dict(sorted(report.fixes.items())),
    }


class _LazyArray(list):  # type: ignore[type-arg]
    """A JSON array whose items are made one at a time while the document is written.

    ``json``'s streaming encoder (``iterencode`` with an indent: the pure-Python one)
    asks only for truth and iteration, so a bulk run never holds every file's entry —
    the output is the same as ``json.dumps`` of the full list.
    """

    def __init__(self, count: int, items: Callable[[], Iterator[Any]]) -> None:
        super().__init__()
        self._count = count
        self._items = items

    def __iter__(self) -> Iterator[Any]:
        return self._items()

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0


def _json_chunks(document: Any) -> Iterator[str]:
    import json  # not at the top: stdin mode renders no JSON

    yield from json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(document)
    yield "\n"


def json_chunks(report: Report) -> Iterator[str]:
    """The JSON output, piece by piece: tool, version, mode, summary, one entry per file."""
    document = {
        "tool": "dockerfix",
        "version": __version__,
        "mode": report.mode.value,
        "exit_code": report.exit_code,
        "summary": summary(report),
        "files": _LazyArray(
            len(report.outcomes), lambda: (file_summary(report, o) for o in report.outcomes)
        ),
    }
    return _json_chunks(document)


def render_json(report: Report) -> str:
    """The JSON output: tool, version, mode, summary and one entry per file."""
    return "".join(json_chunks(report))


# -- sarif -------------------------------------------------------------------------------


def _rule_catalogue() -> list[dict[str, Any]]:
    from dockerfix.fixer.registry import all_rules

    out: list[dict[str, Any]] = []
    for rule in all_rules():
        doc = rule.documentation()
        out.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": doc.split("\n\n", 1)[0] if doc else rule.summary},
                "help": {"text": doc or rule.summary, "markdown": doc or rule.summary},
                "defaultConfiguration": {"level": "warning", "enabled": rule.default},
                "properties": {"tags": ["dockerfile", "go"]},
            }
        )
    return out


def _region(line: int, column: int, end_line: int | None = None) -> dict[str, int]:
    region = {"startLine": max(line, 1), "startColumn": max(column, 1)}
    if end_line and end_line >= line:
        region["endLine"] = end_line
    return region


def _sarif_notification(o: Outcome) -> dict[str, Any]:
    assert o.error is not None
    location = {"artifactLocation": {"uri": relative_uri(o.path), "uriBaseId": "%SRCROOT%"}}
    return {
        "level": "error",
        "message": {"text": o.error.message},
        "descriptor": {"id": o.error.kind},
        "locations": [
            {"physicalLocation": {**location, "region": _region(o.error.line, o.error.column)}}
        ],
    }


def _sarif_results(report: Report, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    for o in report.outcomes:
        if o.error is not None:
            continue
        location = {"artifactLocation": {"uri": relative_uri(o.path), "uriBaseId": "%SRCROOT%"}}
        for d in o.diagnostics:
            status = report.status_of(o, d)
            text = d.message if d.fixed else f"{d.message} (not fixed: {d.reason or 'see docs'})"
            result: dict[str, Any] = {
                "ruleId": d.code,
                "level": "warning" if d.fixed else "note",
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            **location,
                            "region": _region(d.line, d.column, d.end_line),
                        }
                    }
                ],
                "properties": {
                    "fixed": d.fixed,
                    "status": status,
                    "reason": d.reason,
                    "caveats": list(d.caveats),
                    "context": posix(o.context.directory) if o.context else None,
                    "context_source": o.context.source if o.context else None,
                },
            }
            if d.code in index:
                result["ruleIndex"] = index[d.code]
            yield result


def sarif_chunks(report: Report) -> Iterator[str]:
    """SARIF 2.1.0, piece by piece (one run; findings as results, file errors as notifications)."""
    rules = _rule_catalogue()
    index = {r["id"]: i for i, r in enumerate(rules)}
    notifications = [_sarif_notification(o) for o in report.errors]
    count = sum(len(o.diagnostics) for o in report.outcomes if o.error is None)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dockerfix",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": _LazyArray(count, lambda: _sarif_results(report, index)),
            }
        ],
    }
    return _json_chunks(document)


def render_sarif(report: Report) -> str:
    """SARIF 2.1.0 (one run; findings as results, file errors as notifications)."""
    return "".join(sarif_chunks(report))


# -- github ------------------------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{k}={_escape_property(str(v))}" for k, v in properties.items())
    return f"::{kind} {props}::{_escape_data(message)}"


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands: warnings for fixes, notices for the rest, errors."""
    return "".join(github_chunks(report))


def github_chunks(report: Report) -> Iterator[str]:
    """``render_github``, one line at a time."""
    for o in report.outcomes:
        path = relative_uri(o.path)
        if o.error is not None:
            props: dict[str, object] = {"file": path}
            if o.error.line:
                props.update(line=o.error.line, col=o.error.column)
            props["title"] = f"dockerfix {o.error.kind}"
            yield _command("error", props, o.error.message) + "\n"
            continue
        for d in o.diagnostics:
            props = {
                "file": path,
                "line": d.line,
                "col": d.column,
                "endLine": d.end_line,
                "title": f"{d.code} ({d.name})",
            }
            if d.fixed:
                yield _command("warning", props, d.message) + "\n"
            else:
                reason = f" — not fixed: {d.reason}" if d.reason else " — not fixed"
                yield _command("notice", props, d.message + reason) + "\n"


# -- gitlab ------------------------------------------------------------------------------


def _fingerprint(*parts: object) -> str:
    import hashlib  # only for gitlab

    return hashlib.md5("\0".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def render_gitlab(report: Report) -> str:
    """GitLab Code Quality JSON: one issue per finding and per file error."""
    return "".join(gitlab_chunks(report))


def gitlab_chunks(report: Report) -> Iterator[str]:
    """``render_gitlab``, piece by piece."""
    count = sum(1 if o.error is not None else len(o.diagnostics) for o in report.outcomes)
    return _json_chunks(_LazyArray(count, lambda: _gitlab_issues(report)))


def _gitlab_issues(report: Report) -> Iterator[dict[str, Any]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    for o in report.outcomes:
        path = relative_uri(o.path)
        if o.error is not None:
            yield (
                {
                    "description": o.error.message,
                    "check_name": f"dockerfix/{o.error.kind}",
                    "fingerprint": _fingerprint(path, o.error.kind, o.error.message),
                    "severity": "critical",
                    "location": {"path": path, "lines": {"begin": max(o.error.line, 1)}},
                }
            )
            continue
        for d in o.diagnostics:
            key = (path, d.code, d.message)
            seen[key] += 1
            description = f"{d.code} {d.message}"
            if not d.fixed:
                description += f" (not fixed: {d.reason})" if d.reason else " (not fixed)"
            yield (
                {
                    "description": description,
                    "check_name": d.code,
                    "fingerprint": _fingerprint(*key, seen[key]),
                    "severity": "minor" if d.fixed else "info",
                    "categories": ["Style"],
                    "location": {"path": path, "lines": {"begin": d.line, "end": d.end_line}},
                }
            )


RENDERERS: dict[str, Callable[[Report], str]] = {
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
}
CHUNKS: dict[str, Callable[[Report], Iterator[str]]] = {
    "json": json_chunks,
    "sarif": sarif_chunks,
    "github": github_chunks,
    "gitlab": gitlab_chunks,
}


def render(report: Report, fmt: str, color: bool = False, quiet: bool = False) -> str:
    """The output of ``report`` in format ``fmt`` (``quiet`` only shortens ``text``)."""
    return "".join(render_chunks(report, fmt, color, quiet))


def render_chunks(
    report: Report, fmt: str, color: bool = False, quiet: bool = False
) -> Iterator[str]:
    """``render``, piece by piece: a bulk run writes its report without building it whole."""
    if fmt == "text":
        return iter((render_text(report, color, quiet),))
    return CHUNKS[fmt](report)


def render_diff(outcomes: Iterable[Outcome], color: bool = False) -> str:
    """The unified diff of every change, new files included, in path order."""
    from dockerfix.cli import diff

    parts: list[str] = []
    for o in outcomes:
        if o.error is not None:
            continue
        if o.changed:
            assert o.old is not None
            assert o.new is not None
            parts.append(diff.file_diff(o.old, o.new, o.path))
        for target, content in sorted(o.to_create.items()):
            parts.append(diff.new_file_diff(content, target))
    text = "".join(parts)
    return diff.colorize(text) if color else text
