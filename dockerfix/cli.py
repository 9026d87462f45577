"""The command line: ``dockerfix [OPTIONS] [PATH]...``.

Thin on purpose: options are parsed here, files are found by
``discovery``, fixed by ``runner`` (through ``dockerfix.fix``), written by
``files``, rendered by ``report``/``diff``/``terminal``, and the exit code
comes from the ``Report``. Heavy modules (lark, rich, the rules) are imported
only when a run needs them, so ``--version`` and ``--help`` stay instant.

Exit codes: 0 nothing to change, or ``--write``/stdin did its work; 1 report,
``--check`` or ``--diff`` mode found changes (0 with ``--exit-zero``); 2 an
error (missing path, unreadable/undecodable/unparsable file, usage error,
internal error). 130 when interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

from dockerfix import __version__

if TYPE_CHECKING:
    from dockerfix.runner import Mode, Outcome, Overrides

FORMATS = ("text", "json", "sarif", "github", "gitlab")

EPILOG = """\b
Examples:
  dockerfix .                            report what would change (exit 1 if anything)
  dockerfix --diff services/             print a patch (patch -p1 / git apply)
  dockerfix --write .                    fix in place, create .dockerignore files
  dockerfix - --stdin-filename Dockerfile < Dockerfile    editor format-on-save
  dockerfix --explain DFX001             a rule's documentation

\b
Exit codes: 0 nothing to change / fixes written; 1 changes found
(report, --check, --diff); 2 error.
"""


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


def _run_stdin(
    mode: Mode,
    overrides: Overrides,
    *,
    stdin_filename: str | None,
    output_format: str,
    color: bool | None,
    verbose: bool,
    quiet: bool,
    exit_zero: bool,
) -> int:
    from dockerfix import diff
    from dockerfix.files import MAX_BYTES
    from dockerfix.report import Report, diagnostic_line, render
    from dockerfix.runner import Mode, OptionsCache, stdin_outcome

    data = sys.stdin.buffer.read(MAX_BYTES + 1)  # bounded: one byte more says "too large"
    outcome = stdin_outcome(data, stdin_filename, OptionsCache(overrides))
    report = Report(mode, [outcome], exit_zero=exit_zero)
    if outcome.error is not None:
        _err(outcome.error.located(outcome.path))
        if verbose and outcome.error.detail:
            _err(outcome.error.detail.rstrip())
        return 2
    assert outcome.old is not None
    assert outcome.new is not None
    if mode is Mode.DIFF:
        if stdin_filename:
            patch = diff.file_diff(outcome.old, outcome.new, stdin_filename)
        else:
            patch = diff.unified_diff(outcome.old, outcome.new, "STDIN", "STDOUT")
        _write(diff.colorize(patch) if _stdout_color(color) else patch)
    elif mode is Mode.CHECK:
        _write(render(report, output_format, _stdout_color(color), quiet))
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


def _run_paths(
    paths: Sequence[str],
    mode: Mode,
    overrides: Overrides,
    *,
    output_format: str,
    jobs: int | None,
    color: bool | None,
    verbose: bool,
    quiet: bool,
    exit_zero: bool,
) -> int:
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

    found = discover(paths or (".",))
    work = plan(found, OptionsCache(overrides))
    if verbose:
        for path, why in work.skipped:
            _err(f"{path}: skipped: {why}")
    person = not quiet and _isatty(sys.stderr)
    workers = jobs or default_jobs()
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
    report = Report(mode, ordered, exit_zero=exit_zero)
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


class _RuntimeImageOption(click.Option):
    """``--runtime-image``: its default is named in ``--help`` only, so that building the
    command does not import the fixer (``--version`` and ``--dump`` stay light)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from dockerfix.fixer.base import DEFAULT_RUNTIME_IMAGE

        self.help = f"Base image of the runtime stage.  [default: {DEFAULT_RUNTIME_IMAGE}]"
        return super().get_help_record(ctx)


@click.command(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EPILOG,
)
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--diff", is_flag=True, help="Write nothing; print a unified diff (for patch -p1 / git apply)."
)
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change.")
@click.option(
    "--write",
    "-w",
    is_flag=True,
    help="Fix the files in place (atomically) and create the .dockerignore files asked for.",
)
@click.option(
    "--stdin-filename",
    metavar="PATH",
    help="Where the text read from stdin (`-`) lives: for the build context and configuration.",
)
@click.option("--dump", is_flag=True, help="Print BuildKit's AST dump of each FILE (or `-`).")
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help="Only these rules: codes, names or prefixes, comma-separated or repeated.",
)
@click.option("--ignore", multiple=True, metavar="RULES", help="Not these rules.")
@click.option(
    "--runtime-image",
    cls=_RuntimeImageOption,
    metavar="IMAGE",
    help="Base image of the runtime stage.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Use this TOML file's settings for every file (no .dockerfix.toml/pyproject.toml lookup).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format of the findings.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Files fixed in parallel (a process pool is used for many files).  [default: CPUs]",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the output.  [default: on a terminal, unless NO_COLOR is set]",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Print only errors, findings, diffs and fixed text: no lists, summaries or progress.",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Also print skipped paths and each file's status."
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when changes are found (not on errors)."
)
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@click.option("--explain", metavar="RULE", help="Print a rule's documentation and exit.")
@click.version_option(
    __version__, "--version", "-V", prog_name="dockerfix", message="%(prog)s %(version)s"
)
def main(
    paths: tuple[str, ...],
    diff: bool,
    check: bool,
    write: bool,
    stdin_filename: str | None,
    dump: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    runtime_image: str | None,
    config_file: str | None,
    output_format: str,
    jobs: int | None,
    color: bool | None,
    quiet: bool,
    verbose: bool,
    exit_zero: bool,
    list_rules: bool,
    explain: str | None,
) -> None:
    """Rewrite Go Dockerfiles into the recommended multi-stage production form.

    PATHs are Dockerfiles or folders to search (default: the current folder);
    `-` reads one Dockerfile from stdin and writes the fixed text to stdout.
    Without --diff, --check or --write, report what would change.
    """
    ctx = click.get_current_context()
    if list_rules:
        _write(_list_rules(output_format))
        ctx.exit(0)
    if explain is not None:
        text = _explain(explain)
        if text is None:
            _err(f"dockerfix: unknown rule {explain!r} (see dockerfix --list-rules)")
            ctx.exit(2)
        _write(text or "")
        ctx.exit(0)
    mode, overrides = _validate(
        paths,
        diff=diff,
        check=check,
        write=write,
        dump=dump,
        stdin_filename=stdin_filename,
        select=select,
        ignore=ignore,
        runtime_image=runtime_image,
        config_file=config_file,
        output_format=output_format,
        quiet=quiet,
        verbose=verbose,
    )
    from dockerfix.files import handle_signals

    try:
        with handle_signals(linger=_is_program()):
            code = _dispatch(
                paths,
                mode,
                overrides,
                dump=dump,
                stdin_filename=stdin_filename,
                output_format=output_format,
                jobs=jobs,
                color=color,
                verbose=verbose,
                quiet=quiet,
                exit_zero=exit_zero,
            )
    except KeyboardInterrupt as exc:
        # Ctrl-C or SIGTERM: files being replaced were finished first (all old or all new).
        signum = getattr(exc, "signum", 2)
        _err("dockerfix: interrupted" if signum == 2 else "dockerfix: terminated")
        code = 128 + signum
    except BrokenPipeError:
        # The reader went away (``dockerfix --diff | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1 if mode.value in ("report", "check", "diff") and not exit_zero else 0
    ctx.exit(code)


def _is_program() -> bool:
    """True in a ``dockerfix`` process (not when ``main`` is called from other code)."""
    name = os.path.basename(sys.argv[0]) if sys.argv else ""
    return name in ("dockerfix", "dockerfix.exe") or (
        name == "__main__.py" and os.path.basename(os.path.dirname(sys.argv[0])) == "dockerfix"
    )


def _dispatch(
    paths: tuple[str, ...],
    mode: Mode,
    overrides: Overrides,
    *,
    dump: bool,
    stdin_filename: str | None,
    output_format: str,
    jobs: int | None,
    color: bool | None,
    verbose: bool,
    quiet: bool,
    exit_zero: bool,
) -> int:
    """Run the kind of run the options ask for; its exit code."""
    if dump:
        return _run_dump(paths, stdin_filename)
    if "-" in paths or (stdin_filename is not None and not paths):
        return _run_stdin(
            mode,
            overrides,
            stdin_filename=stdin_filename,
            output_format=output_format,
            color=color,
            verbose=verbose,
            quiet=quiet,
            exit_zero=exit_zero,
        )
    return _run_paths(
        paths,
        mode,
        overrides,
        output_format=output_format,
        jobs=jobs,
        color=color,
        verbose=verbose,
        quiet=quiet,
        exit_zero=exit_zero,
    )


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
    from dockerfix.runner import Mode, Overrides, check_rule_names

    stdin = "-" in paths or (stdin_filename is not None and not paths)
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
