"""The ``dockerfix`` click command: options, help, and the informational flags.

Kept apart from the entry point (``dockerfix.cli.run``) so that the stdin fast path never
imports click; the options become a ``settings.Invocation``, run by ``runs``.
"""

from __future__ import annotations

import click

from dockerfix import __version__
from dockerfix.cli import runs
from dockerfix.cli.settings import FORMATS, Invocation, validate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.runner import Overrides

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
    "--context",
    "context_dir",
    type=click.Path(exists=True, file_okay=False),
    help="The build context of the Dockerfile (one Dockerfile, or stdin).  "
    "[default: the settings' contexts, else guessed]",
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
@click.option(
    "--verify",
    is_flag=True,
    help="With --write: write only the files whose fix verified (see `dockerfix verify`).",
)
@click.option(
    "--engine",
    type=click.Choice(("auto", "docker", "podman", "buildah")),
    default="auto",
    help="Container engine of --verify.  [default: auto]",
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
    context_dir: str | None,
    config_file: str | None,
    output_format: str,
    jobs: int | None,
    color: bool | None,
    quiet: bool,
    verbose: bool,
    exit_zero: bool,
    verify: bool,
    engine: str,
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
        runs.write(runs.list_rules(output_format))
        ctx.exit(0)
    if explain is not None:
        text = runs.explain(explain)
        if text is None:
            runs.err(f"dockerfix: unknown rule {explain!r} (see dockerfix --list-rules)")
            ctx.exit(2)
        runs.write(text or "")
        ctx.exit(0)
    if verify and not write:
        raise click.UsageError("--verify goes with --write (or run `dockerfix verify`)")
    if verify and output_format not in ("text", "json"):
        raise click.UsageError("--verify reports as text or json")
    mode, overrides = validate(
        paths,
        diff=diff,
        check=check,
        write=write,
        dump=dump,
        stdin_filename=stdin_filename,
        select=select,
        ignore=ignore,
        runtime_image=runtime_image,
        context=context_dir,
        config_file=config_file,
        output_format=output_format,
        quiet=quiet,
        verbose=verbose,
    )
    if verify:
        ctx.exit(_write_verified(paths, overrides, engine, output_format, color, quiet, verbose))
    code = runs.execute(
        Invocation(
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
    )
    ctx.exit(code)


def _write_verified(
    paths: tuple[str, ...],
    overrides: Overrides,
    engine: str,
    output_format: str,
    color: bool | None,
    quiet: bool,
    verbose: bool,
) -> int:
    """``--write --verify``: ``dockerfix verify --write`` with the engine's defaults."""
    from dockerfix.cli.verify import VerifyRequest, verify_paths
    from dockerfix.verify.engines import BuildOptions, RunOptions

    request = VerifyRequest(
        paths, overrides, engine, BuildOptions(), RunOptions(), write=True,
        output_format=output_format, color=color, quiet=quiet, verbose=verbose,
    )  # fmt: skip
    return verify_paths(request)
