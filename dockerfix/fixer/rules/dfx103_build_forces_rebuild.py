"""DFX103 build-forces-rebuild (opt-in)."""

from __future__ import annotations

from dockerfix import cst
from dockerfix.facts import gofacts, gorun, stagegraph
from dockerfix.fixer import edits
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid

# Before Go 1.10 there was no build cache: with CGO_ENABLED=0, `-a` was how the standard
# library got rebuilt without cgo, so dropping it could give a dynamically linked binary.
_FIRST_GO_WITH_BUILD_CACHE = (1, 10)


class BuildForcesRebuild(Rule):
    """``go build -a`` rebuilds every package, the standard library included, every time.

    ## What it does
    Removes ``-a`` (and ``-a=true``) from ``go build``/``go install`` in the shell-form
    ``RUN``s of a Go Dockerfile. Off by default; select it with ``--select DFX103``.

    ## Why is this bad?
    ``-a`` forces a rebuild of all packages, which defeats the Go build cache: every build
    compiles the whole standard library and all dependencies again, even with a cache
    mount. It is a leftover from Go before 1.10, when the installed standard library had
    been built with cgo and ``-a -installsuffix cgo`` was the way to get a static binary.
    Since Go 1.10 the build cache is keyed on every input, ``CGO_ENABLED`` included, so it
    cannot hand back a stale or cgo-built package.

    ## Fix safety
    The binary is the same. Not applied on a ``golang`` image older than Go 1.10 (no
    build cache there), when the last ``-a`` is ``-a=false``, to ``-a`` set through
    ``GOFLAGS`` (reported; remove it there by hand), or to a command in a heredoc
    (reported). ``-installsuffix cgo``, if present, is left alone: it is harmless.

    ## Example
    ```dockerfile
    RUN CGO_ENABLED=0 go build -a -installsuffix cgo -o /app .
    ```
    becomes
    ```dockerfile
    RUN CGO_ENABLED=0 go build -installsuffix cgo -o /app .
    ```
    """

    code = "DFX103"
    name = "build-forces-rebuild"
    summary = "go build -a defeats the build cache; drop -a"
    default = False

    VALID = (
        Valid("FROM golang:1.23\nRUN go build -o /app .\n"),
        Valid("FROM golang:1.9\nRUN CGO_ENABLED=0 go build -a -o /app .\n"),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23\nRUN go build -a -ldflags '-w -s' -o /app ./cmd/main\n",
            expected="FROM golang:1.23\nRUN go build -ldflags '-w -s' -o /app ./cmd/main\n",
        ),
        Invalid(
            "FROM golang:1.23\nRUN go build \\\n    -a \\\n    -o /app .\n",
            expected="FROM golang:1.23\nRUN go build \\\n    -o /app .\n",
        ),
        Invalid(
            "FROM golang:1.23\nENV GOFLAGS=-a\nRUN go build -o /app .\n",
            expected=None,
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Drop ``-a`` from every ``go build``/``go install`` that forces a full rebuild."""
        if not gofacts.builds_go(tree):
            return tree
        pending: dict[int, tuple[cst.Instruction, list[tuple[int, int]]]] = {}
        for run in gorun.go_runs(tree):
            cmd = run.command
            if cmd.subcommand not in ("build", "install"):
                continue
            ins = run.instruction
            if ctx.suppressed(ins):
                continue
            version = gorun.stage_go_version(tree, run.stage)
            if version is not None and version < _FIRST_GO_WITH_BUILD_CACHE:
                continue
            message = f"go {cmd.subcommand} -a rebuilds every package and defeats the build cache"
            if not cmd.has_flag("a"):
                env = stagegraph.chain_env(tree, stagegraph.chain(tree, run.stage), ins)
                flags = gorun.goflags_value(run, env).split()
                if cmd.flag("a") is None and any(f in ("-a", "-a=true", "--a") for f in flags):
                    ctx.report(
                        ins,
                        message,
                        fixed=False,
                        reason="-a comes from GOFLAGS; remove it there by hand",
                    )
                continue
            if run.offset is None:
                ctx.report(
                    ins,
                    message,
                    fixed=False,
                    reason="the command is in a heredoc, which is not edited in place; "
                    "remove -a by hand",
                )
                continue
            spans = [run.span(f.start, f.end) for f in cmd.flags if f.name == "a" and f.truthy()]
            pending.setdefault(id(ins), (ins, []))[1].extend(spans)
        for ins, spans in pending.values():
            new: cst.Instruction | None = ins
            for start, end in sorted(spans, reverse=True):
                new = edits.remove_word(new, start, end) if new is not None else None
            if new is None:
                ctx.report(
                    ins,
                    "go build -a rebuilds every package and defeats the build cache",
                    fixed=False,
                    reason="-a cannot be removed without disturbing the lines around it "
                    "(comment lines inside the RUN); remove it by hand",
                )
                continue
            ctx.touch(ins)
            ctx.report(
                ins,
                "go build -a rebuilds every package and defeats the build cache; removed -a",
                fixed=True,
            )
            tree = tree.replace(ins, new)
        return tree
