"""DFX102 build-without-trimpath (opt-in)."""

from __future__ import annotations

from dockerfix import cst
from dockerfix.facts import gofacts, gorun, stagegraph
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid

_FIRST_GO_WITH_TRIMPATH = (1, 13)


class BuildWithoutTrimpath(Rule):
    """A ``go build`` without ``-trimpath`` records the builder's file system paths.

    ## What it does
    Adds ``-trimpath`` right after ``go build``/``go install`` (after ``-C dir`` when that
    comes first, as cmd/go requires) in the shell-form ``RUN``s of a Go Dockerfile.
    Off by default; select it with ``--select DFX102``.

    ## Why is this bad?
    Without ``-trimpath`` the binary contains the absolute paths of the build directory
    and module cache (``/src/internal/...``, ``/go/pkg/mod/...``): they leak details of
    the build machine, and two builds of the same source in different directories give
    different binaries, so the build is not reproducible.

    ## Fix safety
    Stack traces and panics then show module paths (``example.com/app/internal/x.go``)
    instead of file system paths; a debugger needs a path substitution to find the
    sources, and code that opens its own source files through ``runtime.Caller`` no longer
    finds them. Not applied when ``-trimpath`` is already on or explicitly off
    (``-trimpath=false``), when ``GOFLAGS`` carries it, on a ``golang`` image older than
    Go 1.13 (which lacks the flag), or to a ``go build`` in a heredoc (reported; add it
    by hand).

    ## Example
    ```dockerfile
    RUN go build -o /app ./cmd/app
    ```
    becomes
    ```dockerfile
    RUN go build -trimpath -o /app ./cmd/app
    ```
    """

    code = "DFX102"
    name = "build-without-trimpath"
    summary = "go build without -trimpath; add it for reproducible, path-free binaries"
    default = False

    VALID = (
        Valid("FROM golang:1.23\nRUN go build -trimpath -o /app .\n"),
        Valid("FROM golang:1.23\nENV GOFLAGS=-trimpath\nRUN go build -o /app .\n"),
        Valid("FROM golang:1.12\nRUN go build -o /app .\n"),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23\nRUN CGO_ENABLED=0 go build -o /app ./cmd/app\n",
            expected="FROM golang:1.23\nRUN CGO_ENABLED=0 go build -trimpath -o /app ./cmd/app\n",
        ),
        Invalid(
            "FROM golang:1.23\nRUN go build -C tools -o /t . && go install ./cmd/...\n",
            expected=(
                "FROM golang:1.23\n"
                "RUN go build -C tools -trimpath -o /t . && go install -trimpath ./cmd/...\n"
            ),
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Add ``-trimpath`` to every ``go build``/``go install`` that lacks it."""
        if not gofacts.builds_go(tree):
            return tree
        pending: dict[int, tuple[cst.Instruction, list[tuple[int, int, str]]]] = {}
        for run in gorun.go_runs(tree):
            cmd = run.command
            if cmd.subcommand not in ("build", "install"):
                continue
            ins = run.instruction
            if ctx.suppressed(ins) or cmd.flag("trimpath") is not None:
                continue
            version = gorun.stage_go_version(tree, run.stage)
            if version is not None and version < _FIRST_GO_WITH_TRIMPATH:
                continue
            env = stagegraph.chain_env(tree, stagegraph.chain(tree, run.stage), ins)
            if "-trimpath" in gorun.goflags_value(run, env):
                continue
            if run.offset is None:
                ctx.report(
                    ins,
                    f"go {cmd.subcommand} without -trimpath",
                    fixed=False,
                    reason="the command is in a heredoc, which is not edited in place; add "
                    "-trimpath after the subcommand by hand",
                )
                continue
            at = cmd.subcommand_end if cmd.subcommand_end is not None else cmd.program.end
            if cmd.flags and cmd.flags[0].name == "C":
                at = cmd.flags[0].end
            pos, _ = run.span(at, at)
            pending.setdefault(id(ins), (ins, []))[1].append((pos, pos, " -trimpath"))
        for ins, replacements in pending.values():
            ctx.touch(ins)
            ctx.report(
                ins,
                "go build without -trimpath embeds build paths; added -trimpath",
                fixed=True,
            )
            tree = tree.replace(ins, gorun.apply_replacements(ins, replacements))
        return tree
