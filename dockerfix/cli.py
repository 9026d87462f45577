"""The command line: ``dockerfix [OPTIONS] [PATH]...``.

Thin on purpose: options are parsed by the click command (``dockerfix.command``;
``main`` here, built on first use), files are found by ``discovery``, fixed by
``runner`` (through ``dockerfix.fix``), written by ``files``, rendered by
``report``/``diff``/``terminal``, and the exit code comes from the ``Report``.
Heavy modules (lark, rich, the rules) are imported only when a run needs them,
so ``--version`` and ``--help`` stay instant; the program's entry point ``run``
recognises the editor's ``dockerfix - --stdin-filename PATH`` itself and does
not even import click for it.

Exit codes: 0 nothing to change, or ``--write``/stdin did its work; 1 report,
``--check`` or ``--diff`` mode found changes (0 with ``--exit-zero``); 2 an
error (missing path, unreadable/undecodable/unparsable file, usage error,
internal error). 130 when interrupted (Ctrl-C), 143 on SIGTERM.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence

from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from dockerfix.command import main as main
    from dockerfix.runner import Mode, Outcome, Overrides

FORMATS = ("text", "json", "sarif", "github", "gitlab")


def _reads_stdin(paths: Sequence[str], stdin_filename: str | None) -> bool:
    """True when the command line asks to fix stdin: ``-``, or only ``--stdin-filename``."""
    return "-" in paths or (stdin_filename is not None and not paths)


class Invocation(Record):
    """What one command line asks for, built by the click command or the stdin fast path."""

    paths: tuple[str, ...]
    mode: Mode
    overrides: Overrides
    dump: bool = False
    stdin_filename: str | None = None
    output_format: str = "text"
    jobs: int | None = None
    color: bool | None = None
    verbose: bool = False
    quiet: bool = False
    exit_zero: bool = False


def _write(text: str, *, err: bool = False) -> None:
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


def _write_chunks(chunks: Iterable[str], *, err: bool = False) -> None:
    """Write a long output piece by piece, in blocks of about 64 kB."""
    block: list[str] = []
    size = 0
    for chunk in chunks:
        block.append(chunk)
        size += len(chunk)
        if size >= 1 << 16:
            _write("".join(block), err=err)
            block, size = [], 0
    _write("".join(block), err=err)


def _err(line: str) -> None:
    _write(line + "\n", err=True)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _color_for(stream: Any, color: bool | None) -> bool:
    """Colour ``stream``? ``--color``/``--no-color`` win; otherwise a TTY without ``NO_COLOR``."""
    if color is not None:
        return color
    return _isatty(stream) and not os.environ.get("NO_COLOR")


def _stdout_color(color: bool | None) -> bool:
    return _color_for(sys.stdout, color)


def _names(values: Sequence[str]) -> tuple[str, ...] | None:
    names = tuple(part.strip() for v in values for part in v.split(",") if part.strip())
    return names or None


# -- informational options ------------------------------------------------------------------


def _list_rules(output_format: str) -> str:
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


def _explain(name: str) -> str | None:
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
            _err(exc.located(label))
            code = 2
            continue
        except Exception as exc:  # a bug in dockerfix: say so, in the usual form
            _err(f"{label}: internal error: {type(exc).__name__}: {exc} (please report this)")
            code = 2
            continue
        for warning in warnings:
            _err(warning)
        if len(paths) > 1:
            _write(f"==> {label} <==\n")
        _write(dump)
    return code


def _run_stdin(invocation: Invocation) -> int:
    from dockerfix.files import MAX_BYTES
    from dockerfix.report import Report, diagnostic_line, render
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
        _err(outcome.error.located(outcome.path))
        if verbose and outcome.error.detail:
            _err(outcome.error.detail.rstrip())
        return 2
    assert outcome.old is not None
    assert outcome.new is not None
    if mode is Mode.DIFF:
        from dockerfix import diff

        if stdin_filename:
            patch = diff.file_diff(outcome.old, outcome.new, stdin_filename)
        else:
            patch = diff.unified_diff(outcome.old, outcome.new, "STDIN", "STDOUT")
        _write(diff.colorize(patch) if _stdout_color(color) else patch)
    elif mode is Mode.CHECK:
        _write(render(report, output_format, _stdout_color(color), invocation.quiet))
    else:
        _write(outcome.new)
        if output_format != "text":
            _write(render(report, output_format), err=True)
    if verbose:
        for d in outcome.diagnostics:
            _err(diagnostic_line(outcome.path, d))
        for target in sorted(outcome.to_create):
            _err(f"{target}: not created in stdin mode (run dockerfix --write to create it)")
    return report.exit_code


def _run_paths(invocation: Invocation) -> int:
    from dockerfix.discovery import discover
    from dockerfix.report import Report, error_lines, render_chunks, render_diff, render_unfixed
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
    from dockerfix.terminal import PROGRESS_MIN_FILES

    mode, output_format, color = invocation.mode, invocation.output_format, invocation.color
    verbose, quiet = invocation.verbose, invocation.quiet
    found = discover(invocation.paths or (".",))
    work = plan(found, OptionsCache(invocation.overrides))
    if verbose:
        for path, why in work.skipped:
            _err(f"{path}: skipped: {why}")
    person = not quiet and _isatty(sys.stderr)
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
            _write(render_diff([outcome], diff_color))
        outcome.release()

    if person and len(work.tasks) >= PROGRESS_MIN_FILES:
        from dockerfix.terminal import ProgressBar

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
        _err(line)
        if verbose and outcome.error is not None and outcome.error.detail:
            _err(outcome.error.detail.rstrip())
    if verbose:
        for outcome in report.outcomes:
            if outcome.error is None:
                codes = ", ".join(outcome.rules_applied)
                _err(f"{outcome.path}: {outcome.status}" + (f" ({codes})" if codes else ""))
    if mode is Mode.DIFF:
        # The patch (already printed, file by file) is the product; what it leaves
        # undone, and why, is said on stderr.
        if not quiet:
            _write(render_unfixed(report, _color_for(sys.stderr, color)), err=True)
    elif mode is Mode.WRITE and output_format == "text":
        # The files are the product: what was done is a diagnostic, on stderr.
        stderr_color = _color_for(sys.stderr, color)
        _write_chunks(render_chunks(report, output_format, stderr_color, quiet), err=True)
    else:
        _write_chunks(render_chunks(report, output_format, _stdout_color(color), quiet))
    if person:
        from dockerfix.terminal import print_summary

        print_summary(report, color=color)
    return report.exit_code


# -- the command ------------------------------------------------------------------------------


def _execute(invocation: Invocation) -> int:
    """Run with signals handled; the exit code (128 + signal number when interrupted).

    One file through stdin writes no file and starts no worker: Python's own Ctrl-C
    (and SIGTERM's default action) end it well enough, without importing ``signal``.
    """
    try:
        if invocation.mode.value == "stdin":
            return _dispatch(invocation)
        from dockerfix.files import handle_signals

        with handle_signals(linger=_is_program()):
            return _dispatch(invocation)
    except KeyboardInterrupt as exc:
        # Ctrl-C or SIGTERM: files being replaced were finished first (all old or all new).
        signum = getattr(exc, "signum", 2)
        _err("dockerfix: interrupted" if signum == 2 else "dockerfix: terminated")
        return 128 + signum
    except BrokenPipeError:
        # The reader went away (``dockerfix --diff | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        found_changes = invocation.mode.value in ("report", "check", "diff")
        return 1 if found_changes and not invocation.exit_zero else 0


def _plain_stdin(argv: Sequence[str]) -> tuple[str | None] | None:
    """``(stdin filename,)`` when ``argv`` only asks to fix stdin, else None.

    ``-``, ``--stdin-filename PATH`` / ``--stdin-filename=PATH``, in any order, each at
    most once: exactly what an editor runs on save, and what click would read the same
    way. Anything else goes through click.
    """
    dash = False
    filename: str | None = None
    given = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "-" and not dash:
            dash = True
        elif arg == "--stdin-filename" and not given and i + 1 < len(argv):
            filename, given = argv[i + 1], True
            i += 1
        elif arg.startswith("--stdin-filename=") and not given:
            filename, given = arg.partition("=")[2], True
        else:
            return None
        i += 1
    if not dash and not given:
        return None
    if filename is not None and filename.startswith("-") and filename != "-":
        return None  # click would read an option there
    return (filename,)


def run(argv: Sequence[str] | None = None) -> None:
    """The ``dockerfix`` program: stdin fixing on a fast path (no click), the rest by click.

    An editor runs ``dockerfix - --stdin-filename PATH`` on every save; parsing those
    three words does not need click (about 25 ms of imports), so they are recognised
    here, like a lone ``--version``; everything else is handed to the click command
    (``dockerfix.command``). In a ``dockerfix`` process the stdin run also skips the
    garbage collector and the interpreter's tear-down (``_hard_exit``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):  # what tools ask first; click's output, without click
        from dockerfix import __version__

        _write(f"dockerfix {__version__}\n")
        return
    plain = _plain_stdin(args)
    if plain is None:
        from dockerfix.command import main as command

        command(args, prog_name="dockerfix")
        return
    program = _is_program()
    if program:
        import gc

        gc.disable()  # one file, then the process ends: collecting cycles only costs ~5 ms
    from dockerfix.runner import Mode, Overrides

    (stdin_filename,) = plain
    paths = tuple(a for a in args if a == "-")
    code = _execute(Invocation(paths, Mode.STDIN, Overrides(), stdin_filename=stdin_filename))
    if program:
        _hard_exit(code)
    sys.exit(code)


def _hard_exit(code: int) -> None:
    """Flush the output and end the process without tearing the interpreter down.

    Freeing every module and object at exit costs ~10 ms, a sixth of a stdin run; the
    stdin run has written all it will write (no file, no temporary file, no worker), so
    it ends like mypy does, with ``os._exit`` after flushing.
    """
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


def __getattr__(name: str) -> Any:
    if name == "main":  # the click command, built on first use (imports click)
        from dockerfix.command import main as command

        return command
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _is_program() -> bool:
    """True in a ``dockerfix`` process (not when ``main`` is called from other code)."""
    name = os.path.basename(sys.argv[0]) if sys.argv else ""
    return name in ("dockerfix", "dockerfix.exe") or (
        name == "__main__.py" and os.path.basename(os.path.dirname(sys.argv[0])) == "dockerfix"
    )


def _dispatch(invocation: Invocation) -> int:
    """Run the kind of run the options ask for; its exit code."""
    if invocation.dump:
        return _run_dump(invocation.paths, invocation.stdin_filename)
    if _reads_stdin(invocation.paths, invocation.stdin_filename):
        return _run_stdin(invocation)
    return _run_paths(invocation)


def _validate(
    paths: tuple[str, ...],
    *,
    diff: bool,
    check: bool,
    write: bool,
    dump: bool,
    stdin_filename: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    runtime_image: str | None,
    config_file: str | None,
    output_format: str,
    quiet: bool,
    verbose: bool,
) -> tuple[Mode, Overrides]:
    """The run's mode and settings; ``click.UsageError`` (exit 2) for bad combinations."""
    import click

    from dockerfix.runner import Mode, Overrides, check_rule_names

    stdin = _reads_stdin(paths, stdin_filename)
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    if write and (diff or check):
        raise click.UsageError("--write cannot be combined with --diff or --check")
    if dump and (diff or check or write):
        raise click.UsageError("--dump cannot be combined with --diff, --check or --write")
    if dump and not paths:
        raise click.UsageError("--dump needs a FILE (or `-` for stdin)")
    if stdin and len(paths) > 1:
        raise click.UsageError("`-` (stdin) cannot be combined with other paths")
    if stdin_filename is not None and not stdin:
        raise click.UsageError("--stdin-filename is only for `-` (stdin)")
    if diff and output_format != "text":
        raise click.UsageError(
            f"--diff prints the patch on stdout; run --format {output_format} separately"
        )
    if runtime_image is not None and not runtime_image.strip():
        raise click.UsageError("--runtime-image needs an image name")
    selected, ignored = _names(select), _names(ignore)
    if not dump:
        unknown = check_rule_names((selected or ()) + (ignored or ()))
        if unknown is not None:
            raise click.UsageError(f"unknown rule {unknown!r} (see dockerfix --list-rules)")
    mode = Mode.from_flags(check=check, diff=diff, write=write, stdin=stdin)
    overrides = Overrides(
        select=selected,
        ignore=ignored,
        runtime_image=runtime_image.strip() if runtime_image else None,
        config=config_file,
    )
    return mode, overrides
