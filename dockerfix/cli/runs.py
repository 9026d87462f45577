"""Running what the command line asks for, and writing its output.

The three kinds of run: ``--dump`` (the parser only), one file through stdin (an editor's
format-on-save), and paths (report, ``--check``, ``--diff``, ``--write`` over many files).
Files are found by ``discovery``, fixed by ``runner`` (through ``dockerfix.fix``), written
by ``files``, rendered by ``report``/``diff``/``terminal``; the exit code comes from the
``Report``. Heavy modules (lark, rich, the rules) are imported only when a run needs them.

Exit codes: 0 nothing to change, or ``--write``/stdin did its work; 1 report,
``--check`` or ``--diff`` mode found changes (0 with ``--exit-zero``); 2 an
error (missing path, unreadable/undecodable/unparsable file, usage error,
internal error). 130 when interrupted (Ctrl-C), 143 on SIGTERM.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence

from dockerfix.cli.settings import Invocation, reads_stdin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from dockerfix.runner import Outcome


def write(text: str, *, err: bool = False) -> None:
    """Write ``text`` as UTF-8 bytes (no newline translation, no locale surprises)."""
    if not text:
        return
    stream = sys.stderr if err else sys.stdout
    stream.flush()
    data = text.encode("utf-8", errors="surrogateescape")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # pragma: no cover - a text-only stream
        stream.write(data.decode("utf-8", errors="replace"))
    else:
        buffer.write(data)
        buffer.flush()


def write_chunks(chunks: Iterable[str], *, err: bool = False) -> None:
    """Write a long output piece by piece, in blocks of about 64 kB."""
    block: list[str] = []
    size = 0
    for chunk in chunks:
        block.append(chunk)
        size += len(chunk)
        if size >= 1 << 16:
            write("".join(block), err=err)
            block, size = [], 0
    write("".join(block), err=err)


def err(line: str) -> None:
    write(line + "\n", err=True)


def isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _color_for(stream: Any, color: bool | None) -> bool:
    """Colour ``stream``? ``--color``/``--no-color`` win; otherwise a TTY without ``NO_COLOR``."""
    if color is not None:
        return color
    return isatty(stream) and not os.environ.get("NO_COLOR")


def _stdout_color(color: bool | None) -> bool:
    return _color_for(sys.stdout, color)


# -- informational options ------------------------------------------------------------------


def list_rules(output_format: str) -> str:
    from dockerfix.fixer.registry import all_rules

    rules = all_rules()
    if output_format == "json":
        import json

        rows = [
            {"code": r.code, "name": r.name, "default": r.default, "summary": r.summary}
            for r in rules
        ]
        return json.dumps(rows, indent=2) + "\n"
    width = max((len(r.name) for r in rules), default=4)
    lines = [f"{'code':<7} {'name':<{width}}  {'default':<7}  summary"]
    for r in rules:
        default = "yes" if r.default else "opt-in"
        lines.append(f"{r.code:<7} {r.name:<{width}}  {default:<7}  {r.summary}")
    return "\n".join(lines) + "\n"


def explain(name: str) -> str | None:
    from dockerfix.fixer.registry import all_rules

    key = name.strip()
    for rule in all_rules():
        if key.upper() == rule.code or key.lower() == rule.name:
            kind = "" if rule.default else " (opt-in: enable with --select)"
            head = f"{rule.code} {rule.name}{kind}"
            return f"{head}\n\n{rule.summary}\n\n{rule.documentation()}\n"
    return None


# -- the three kinds of run -------------------------------------------------------------------


def _read_stdin(limit: int) -> bytes:
    """Stdin, up to one byte over ``limit`` (enough to know it is too large; never unbounded)."""
    from dockerfix import files

    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise files.too_large(None, limit)
    return data


def _run_dump(paths: Sequence[str], stdin_filename: str | None) -> int:
    # Only the parser: not the runner, the configuration or the fixer rules.
    from dockerfix import files, parse
    from dockerfix.errors import ParseError
    from dockerfix.grammar.dump import dump as dump_tree
    from dockerfix.grammar.dump import warnings as tree_warnings

    code = 0
    limit = files.MAX_DUMP_BYTES
    for path in paths:
        label = (stdin_filename or "-") if path == "-" else path
        try:
            data = _read_stdin(limit) if path == "-" else files.read_bytes(path, limit)
            tree = parse(files.decode(data))
            dump, warnings = dump_tree(tree), tree_warnings(tree)
        except (files.FileError, ParseError) as exc:
            err(exc.located(label))
            code = 2
            continue
        except Exception as exc:  # a bug in dockerfix: say so, in the usual form
            err(f"{label}: internal error: {type(exc).__name__}: {exc} (please report this)")
            code = 2
            continue
        for warning in warnings:
            err(warning)
        if len(paths) > 1:
            write(f"==> {label} <==\n")
        write(dump)
    return code


def _run_stdin(invocation: Invocation) -> int:
    from dockerfix.cli.report import Report, diagnostic_line, render
    from dockerfix.files import MAX_BYTES
    from dockerfix.runner import Mode, OptionsCache, stdin_outcome

    mode, stdin_filename, output_format = (
        invocation.mode,
        invocation.stdin_filename,
        invocation.output_format,
    )
    color, verbose = invocation.color, invocation.verbose
    data = sys.stdin.buffer.read(MAX_BYTES + 1)  # bounded: one byte more says "too large"
    outcome = stdin_outcome(data, stdin_filename, OptionsCache(invocation.overrides))
    report = Report(mode, [outcome], exit_zero=invocation.exit_zero)
    if outcome.error is not None:
        err(outcome.error.located(outcome.path))
        if verbose and outcome.error.detail:
            err(outcome.error.detail.rstrip())
        return 2
    assert outcome.old is not None
    assert outcome.new is not None
    if mode is Mode.DIFF:
        from dockerfix.cli import diff

        if stdin_filename:
            patch = diff.file_diff(outcome.old, outcome.new, stdin_filename)
        else:
            patch = diff.unified_diff(outcome.old, outcome.new, "STDIN", "STDOUT")
        write(diff.colorize(patch) if _stdout_color(color) else patch)
        from dockerfix.cli.report import render_caveats

        write(render_caveats(report), err=True)
    elif mode is Mode.CHECK:
        write(render(report, output_format, _stdout_color(color), invocation.quiet))
    else:
        write(outcome.new)
        if output_format != "text":
            write(render(report, output_format), err=True)
        else:
            from dockerfix.cli.report import render_caveats

            write(render_caveats(report), err=True)
    if verbose:
        for d in outcome.diagnostics:
            err(diagnostic_line(outcome.path, d))
        for target in sorted(outcome.to_create):
            err(f"{target}: not created in stdin mode (run dockerfix --write to create it)")
    return report.exit_code


def _run_paths(invocation: Invocation) -> int:
    from dockerfix.cli.report import (
        Report,
        error_lines,
        render_caveats,
        render_chunks,
        render_diff,
        render_unfixed,
    )
    from dockerfix.cli.terminal import PROGRESS_MIN_FILES
    from dockerfix.discovery import discover
    from dockerfix.runner import (
        Mode,
        OptionsCache,
        apply,
        claim,
        default_jobs,
        plan,
        run,
        sorted_outcomes,
    )

    mode, output_format, color = invocation.mode, invocation.output_format, invocation.color
    verbose, quiet = invocation.verbose, invocation.quiet
    found = discover(invocation.paths or (".",))
    work = plan(found, OptionsCache(invocation.overrides))
    if verbose:
        for path, why in work.skipped:
            err(f"{path}: skipped: {why}")
    person = not quiet and isatty(sys.stderr)
    workers = invocation.jobs or default_jobs()
    diff_color = _stdout_color(color)
    claimed: set[str] = set()

    def stream(outcome: Outcome) -> None:
        # Outcomes arrive in path order: write or print each at once, then keep only
        # what the report needs, so a run over 10,000 files never holds 10,000 texts.
        claim(outcome, claimed)
        if mode is Mode.WRITE:
            apply(outcome)
        elif mode is Mode.DIFF:
            write(render_diff([outcome], diff_color))
        outcome.release()

    if person and len(work.tasks) >= PROGRESS_MIN_FILES:
        from dockerfix.cli.terminal import ProgressBar

        with ProgressBar(len(work.tasks), color=color) as bar:

            def advance(outcome: Outcome) -> None:
                stream(outcome)
                bar.advance(outcome)

            outcomes = run(work.tasks, jobs=workers, on_outcome=advance)
    else:
        outcomes = run(work.tasks, jobs=workers, on_outcome=stream)
    ordered = sorted_outcomes(work.early + outcomes)
    report = Report(mode, ordered, exit_zero=invocation.exit_zero)
    for outcome, line in zip(report.errors, error_lines(report), strict=True):
        err(line)
        if verbose and outcome.error is not None and outcome.error.detail:
            err(outcome.error.detail.rstrip())
    if verbose:
        for outcome in report.outcomes:
            if outcome.error is None:
                codes = ", ".join(outcome.rules_applied)
                err(f"{outcome.path}: {outcome.status}" + (f" ({codes})" if codes else ""))
                if outcome.context is not None:
                    where = outcome.context
                    err(f"{outcome.path}: build context {where.directory} ({where.source})")
    if mode is Mode.DIFF:
        # The patch (already printed, file by file) is the product; what it leaves
        # undone, and why, is said on stderr.
        if not quiet:
            write(render_unfixed(report, _color_for(sys.stderr, color)), err=True)
            write(render_caveats(report), err=True)
    elif mode is Mode.WRITE and output_format == "text":
        # The files are the product: what was done is a diagnostic, on stderr.
        stderr_color = _color_for(sys.stderr, color)
        write_chunks(render_chunks(report, output_format, stderr_color, quiet), err=True)
    else:
        write_chunks(render_chunks(report, output_format, _stdout_color(color), quiet))
    if person:
        from dockerfix.cli.terminal import print_summary

        print_summary(report, color=color)
    return report.exit_code


# -- the command ------------------------------------------------------------------------------


def execute(invocation: Invocation) -> int:
    """Run with signals handled; the exit code (128 + signal number when interrupted).

    One file through stdin writes no file and starts no worker: Python's own Ctrl-C
    (and SIGTERM's default action) end it well enough, without importing ``signal``.
    """
    try:
        if invocation.mode.value == "stdin":
            return dispatch(invocation)
        from dockerfix.files import handle_signals

        with handle_signals(linger=is_program()):
            return dispatch(invocation)
    except KeyboardInterrupt as exc:
        # Ctrl-C or SIGTERM: files being replaced were finished first (all old or all new).
        signum = getattr(exc, "signum", 2)
        err("dockerfix: interrupted" if signum == 2 else "dockerfix: terminated")
        return 128 + signum
    except BrokenPipeError:
        # The reader went away (``dockerfix --diff | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        found_changes = invocation.mode.value in ("report", "check", "diff")
        return 1 if found_changes and not invocation.exit_zero else 0


def dispatch(invocation: Invocation) -> int:
    """Run the kind of run the options ask for; its exit code."""
    if invocation.dump:
        return _run_dump(invocation.paths, invocation.stdin_filename)
    if reads_stdin(invocation.paths, invocation.stdin_filename):
        return _run_stdin(invocation)
    return _run_paths(invocation)


def is_program() -> bool:
    """True in a ``dockerfix`` process (not when ``main`` is called from other code)."""
    name = os.path.basename(sys.argv[0]) if sys.argv else ""
    return name in ("dockerfix", "dockerfix.exe") or (
        name == "__main__.py" and os.path.basename(os.path.dirname(sys.argv[0])) == "dockerfix"
    )
