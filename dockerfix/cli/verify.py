"""``dockerfix verify [OPTIONS] [PATH]...`` and ``dockerfix --write --verify``.

The same discovery, configuration and rule selection as the other modes; then each file the
fixer would change goes through ``dockerfix.verify.session``. A line per file on stdout as
it is judged (or one JSON document at the end), progress on stderr, a table on a terminal.
With ``write``, only the files whose fix verified are written.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from dockerfix.cli import runs
from dockerfix.cli.settings import names
from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.runner import Outcome, Overrides
    from dockerfix.verify.engines import BuildOptions, RunOptions


class VerifyRequest(Record):
    """What one verify run is asked to do."""

    paths: tuple[str, ...]
    overrides: Overrides
    engine: str
    build: BuildOptions
    run: RunOptions
    context: str | None = None
    write: bool = False
    output_format: str = "text"
    color: bool | None = None
    quiet: bool = False
    verbose: bool = False


def verify_paths(request: VerifyRequest) -> int:
    """Run it; the exit code (0 all verified, 1 regression or unverifiable, 2 errors)."""
    import uuid

    from dockerfix.discovery import discover
    from dockerfix.runner import OptionsCache, plan, run, sorted_outcomes
    from dockerfix.verify import output
    from dockerfix.verify.engines import EngineError, find_engine
    from dockerfix.verify.session import FileVerdict, Session

    cache = OptionsCache(request.overrides)
    work = plan(discover(request.paths or (".",)), cache)
    outcomes = sorted_outcomes(work.early + run(work.tasks, jobs=1))
    errors = [o for o in outcomes if o.error is not None]
    for outcome in errors:
        assert outcome.error is not None
        runs.err(outcome.error.located(outcome.path))
    todo = [o for o in outcomes if o.error is None and o.would_change]
    if request.verbose:
        for outcome in outcomes:
            if outcome.error is None and not outcome.would_change:
                runs.err(f"{outcome.path}: unchanged, nothing to verify")
    verdicts: list[FileVerdict] = []
    engine_name: str | None = None
    messages = [o.error.located(o.path) for o in errors if o.error is not None]
    if todo:
        run_id = uuid.uuid4().hex[:12]
        try:
            engine = find_engine(request.engine, run_id)
        except EngineError as exc:
            runs.err(f"dockerfix verify: {exc}")
            if request.output_format == "json":
                runs.write(output.json_document([], None, 2, [*messages, str(exc)]))
            return 2
        engine_name = engine.name
        say = (lambda _m: None) if request.quiet else (lambda m: runs.err(f"  {m}"))
        with Session(
            engine, request.build, request.run, context=request.context, progress=say
        ) as session:
            for index, outcome in enumerate(todo, 1):
                if not request.quiet:
                    runs.err(f"[{index}/{len(todo)}] {outcome.path} ({engine.name})")
                config = cache.config_for(outcome.path)
                verdict = session.verify(outcome, config.http_paths)
                verdicts.append(verdict)
                if request.output_format == "text":
                    runs.write(output.line(verdict))
                    runs.write("\n")
                if request.write:
                    _write_if_verified(outcome, verdict.status)
    code = output.exit_code(verdicts, len(errors))
    if request.output_format == "json":
        runs.write(output.json_document(verdicts, engine_name, code, messages))
    elif not todo and not errors and not request.quiet:
        runs.err("dockerfix verify: nothing to verify (no file would change)")
    if verdicts and not request.quiet and runs.isatty(sys.stderr):
        output.print_table(verdicts, request.color)
    return code


def _write_if_verified(outcome: Outcome, status: str) -> None:
    """Write ``outcome`` (the file and its new .dockerignore) only when it verified."""
    from dockerfix.runner import apply
    from dockerfix.verify.compare import VERIFIED

    if status != VERIFIED:
        runs.err(f"{outcome.path}: not written ({status})")
        return
    apply(outcome)
    if outcome.error is not None:
        runs.err(outcome.error.located(outcome.path))
    elif outcome.written or outcome.created:
        created = "".join(f", created {c}" for c in outcome.created)
        runs.err(f"{outcome.path}: written{created}")


ENGINES = ("auto", "docker", "podman", "buildah")


def build_and_run_options(
    *,
    build_arg: Sequence[str],
    target: str | None,
    platform: str | None,
    pull: bool | None,
    build_timeout: float,
    run_arg: Sequence[str],
    port: Sequence[int],
    http_path: Sequence[str],
    run_timeout: float,
) -> tuple[BuildOptions, RunOptions]:
    """The engine options from the command line's words."""
    from dockerfix.verify.engines import BuildOptions, RunOptions

    for path in http_path:
        if not path.startswith("/"):
            raise click.UsageError(f"--http-path must start with /: {path!r}")
    build = BuildOptions(tuple(build_arg), target, platform, pull, build_timeout)
    run_options = RunOptions(tuple(run_arg), tuple(port), tuple(http_path), run_timeout)
    return build, run_options


@click.command(
    name="verify",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Exit codes: 0 every changed file verified; 1 a regression, or a file that
could not be verified; 2 an error (no engine, a file that cannot be read).
""",
)
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
    help="Container engine (auto: the first of docker, podman, buildah that works).",
)  # fmt: skip
@click.option("--build-arg", multiple=True, metavar="NAME=VALUE", help="Passed to both builds.")
@click.option("--target", metavar="STAGE", help="Build this stage of both Dockerfiles.")
@click.option("--platform", metavar="OS/ARCH", help="Build for this platform.")
@click.option(
    "--pull/--no-pull", default=None, help="Pull base images.  [default: the engine's own]"
)
@click.option(
    "--build-timeout", type=click.FloatRange(min=1), default=900, show_default=True,
    metavar="SECONDS", help="Time limit of each build.",
)  # fmt: skip
@click.option("--run-arg", multiple=True, metavar="ARG", help="Arguments after the image name.")
@click.option(
    "--port", type=click.IntRange(1, 65535), multiple=True,
    help="TCP port to probe.  [default: the EXPOSEd ones]",
)  # fmt: skip
@click.option(
    "--http-path", multiple=True, metavar="PATH",
    help="Path to GET on the first port.  [default: verify.http-paths, or /]",
)  # fmt: skip
@click.option(
    "--run-timeout", type=click.FloatRange(min=1), default=20, show_default=True,
    metavar="SECONDS", help="Time limit of a one-shot run, and for a server to listen.",
)  # fmt: skip
@click.option(
    "--context", type=click.Path(exists=True, file_okay=False),
    help="The build context.  [default: the Dockerfile's folder]",
)  # fmt: skip
@click.option("--write", "-w", is_flag=True, help="Write the files whose fix verified.")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Not these rules.")
@click.option("--runtime-image", metavar="IMAGE", help="Base image of the runtime stage.")
@click.option(
    "--config", "config_file", type=click.Path(exists=True, dir_okay=False),
    help="Use this TOML file's settings for every file.",
)  # fmt: skip
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json")), default="text",
    show_default=True, help="Output format.",
)  # fmt: skip
@click.option("--color/--no-color", default=None, help="Colour the table.")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no table.")
@click.option("--verbose", "-v", is_flag=True, help="Also name the files with nothing to verify.")
def verify(
    paths: tuple[str, ...],
    engine: str,
    build_arg: tuple[str, ...],
    target: str | None,
    platform: str | None,
    pull: bool | None,
    build_timeout: float,
    run_arg: tuple[str, ...],
    port: tuple[int, ...],
    http_path: tuple[str, ...],
    run_timeout: float,
    context: str | None,
    write: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    runtime_image: str | None,
    config_file: str | None,
    output_format: str,
    color: bool | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build and run each Dockerfile before and after its fix, and compare.

    For every Dockerfile the fixer would change, the original and the fixed version are
    built in the same build context with your container engine and run the same way: a
    server's EXPOSEd ports are probed on 127.0.0.1 (TCP and HTTP GET), a one-shot program's
    exit status and output are compared. Prints VERIFIED, REGRESSION or UNVERIFIABLE per
    file. Every image and container it creates is removed; nothing is pushed.
    """
    from dockerfix.runner import Overrides, check_rule_names

    selected, ignored = names(select), names(ignore)
    unknown = check_rule_names((selected or ()) + (ignored or ()))
    if unknown is not None:
        raise click.UsageError(f"unknown rule {unknown!r} (see dockerfix --list-rules)")
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    build, run_options = build_and_run_options(
        build_arg=build_arg, target=target, platform=platform, pull=pull,
        build_timeout=build_timeout, run_arg=run_arg, port=port, http_path=http_path,
        run_timeout=run_timeout,
    )  # fmt: skip
    overrides = Overrides(
        select=selected,
        ignore=ignored,
        runtime_image=runtime_image.strip() if runtime_image else None,
        config=config_file,
    )
    request = VerifyRequest(
        paths, overrides, engine, build, run_options, context=context, write=write,
        output_format=output_format, color=color, quiet=quiet, verbose=verbose,
    )  # fmt: skip
    try:
        code = verify_paths(request)
    except KeyboardInterrupt:
        runs.err("dockerfix verify: interrupted (the images and containers made were removed)")
        code = 130
    click.get_current_context().exit(code)
