"""What one command line asks for: the settings shared by the stdin fast path and click.

``dockerfix.cli`` (the entry point) builds an :class:`Invocation` itself for an editor's
``dockerfix - --stdin-filename PATH``; the click command (``dockerfix.cli.command``) builds
one from its options through :func:`validate`. Both hand it to ``dockerfix.cli.runs``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.runner import Mode, Overrides

FORMATS = ("text", "json", "sarif", "github", "gitlab")


def reads_stdin(paths: Sequence[str], stdin_filename: str | None) -> bool:
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


def names(values: Sequence[str]) -> tuple[str, ...] | None:
    names = tuple(part.strip() for v in values for part in v.split(",") if part.strip())
    return names or None


def validate(
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
    context: str | None = None,
    output_format: str,
    quiet: bool,
    verbose: bool,
) -> tuple[Mode, Overrides]:
    """The run's mode and settings; ``click.UsageError`` (exit 2) for bad combinations."""
    import click

    from dockerfix.runner import Mode, Overrides, check_rule_names

    stdin = reads_stdin(paths, stdin_filename)
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
    if context is not None and not stdin and (len(paths) != 1 or not os.path.isfile(paths[0])):
        raise click.UsageError("--context is for one Dockerfile (or `-` for stdin)")
    if runtime_image is not None and not runtime_image.strip():
        raise click.UsageError("--runtime-image needs an image name")
    selected, ignored = names(select), names(ignore)
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
        context=context,
    )
    return mode, overrides
