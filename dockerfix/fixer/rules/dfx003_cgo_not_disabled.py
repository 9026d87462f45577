"""DFX003 cgo-not-disabled."""

from __future__ import annotations

from dockerfix import cst
from dockerfix.facts import buildsteps, gofacts
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid
from dockerfix.fixer.style import new_instruction

# Build flags that only work with cgo.
_CGO_FLAGS = ("race", "msan", "asan")
_CGO_BUILDMODES = ("c-shared", "c-archive", "plugin")

MESSAGE = "CGO_ENABLED is not set for `go build`"


def _flag_reasons(steps: list[buildsteps.GoStep]) -> list[str]:
    """cgo-only build flags used by any go command of the stage."""
    reasons: list[str] = []
    for step in steps:
        cmd = step.command
        for name in _CGO_FLAGS:
            if cmd.has_flag(name):
                reasons.append(f"`go {cmd.subcommand}` uses -{name}, which needs cgo")
        mode = cmd.flag("buildmode")
        if mode is not None and (mode.value or "") in _CGO_BUILDMODES:
            reasons.append(f"-buildmode={mode.value} needs cgo")
    return reasons


def _sets_goos(tree: cst.Dockerfile, stage: cst.Stage, steps: list[buildsteps.GoStep]) -> bool:
    """True when the stage chooses its target OS itself (or cross-compiles)."""
    if "GOOS" in buildsteps.inherited_env(tree, stage):
        return True
    lineage = [stage, *buildsteps.ancestors(tree, stage)]
    if any("BUILDPLATFORM" in (s.platform or "") for s in lineage):
        return True  # runs on the build machine: a cross-compiling stage
    if buildsteps.mentions(buildsteps.stage_scripts(stage), "GOOS", "TARGETOS"):
        return True
    return any((s.command.program.text.rsplit("/", 1)[-1]).startswith("xx-") for s in steps)


def _suggestion(tree: cst.Dockerfile, stage: cst.Stage) -> str:
    images = [gofacts.stage_image(tree, s) for s in [stage, *buildsteps.ancestors(tree, stage)]]
    if any(gofacts.is_musl_image(i) for i in images):
        runtime = "an alpine runtime image (the builder links against musl)"
    else:
        runtime = (
            "gcr.io/distroless/base-debian13 (or cc-debian13 for C++ libraries) as the "
            "runtime image"
        )
    return (
        "keep cgo (set CGO_ENABLED=1 explicitly to document it) and run the binary on "
        f"{runtime}, not on distroless/static or scratch"
    )


class CgoNotDisabled(Rule):
    """Builds Go with cgo left to its default, so the binary may need the C library.

    ## What it does
    In every stage that compiles a Go program (``go build``, or ``go install`` of
    the project's own packages), inserts ``ENV CGO_ENABLED=0 GOOS=linux`` right
    after the stage's ``FROM`` (the seed's form, in the file's keyword casing).
    ``GOOS=linux`` is left out when the stage picks its target OS itself: it sets
    or reads ``GOOS``/``TARGETOS``, builds with docker/xx's ``xx-go``, runs on
    ``--platform=$BUILDPLATFORM`` (a cross-compiling stage, or one built on it) or
    inherits ``GOOS``.
    A stage built on another stage that already sets ``CGO_ENABLED`` inherits it
    and is left alone.

    ## Why is this bad?
    ``CGO_ENABLED`` defaults to 1 when a C compiler is present (it is in the
    Debian-based ``golang`` images), and then packages such as ``net`` and
    ``os/user`` link against the C library: the binary fails to start on
    ``distroless/static`` or ``scratch`` ("no such file or directory"), or on a
    runtime image whose libc differs from the builder's. ``CGO_ENABLED=0`` gives
    a self-contained static binary.

    ## Fix safety
    Not applied when ``CGO_ENABLED`` is already set for the build (an ``ENV``,
    an ``ARG``, an inline ``CGO_ENABLED=...`` or an ``export`` in the stage, or
    an ``ENV`` in a stage it is built on): that is the author's choice. Reported
    and not applied when the build needs cgo: a cgo-only module in ``go.mod``
    (``mattn/go-sqlite3`` ...), ``import "C"``, a C toolchain or C headers
    installed in the builder (or a stage it is built on), ``-linkmode
    external``, ``-race``/``-msan``/``-asan`` on a build, ``-buildmode=c-shared``/
    ``c-archive``/``plugin``, or a later stage built on this one that needs cgo
    itself; keep cgo then and use distroless ``base``/``cc`` (glibc) or alpine
    (musl) as the runtime image. Also reported and not applied on Windows
    images. Stages that only run ``go test``, ``go generate`` or ``go install``
    remote tools (``pkg@version``) are not touched.

    The narrow form, ``CGO_ENABLED=0`` inline on each ``go build``/``go install`` that
    ships a binary, is used instead of an ``ENV`` when an ``ENV`` would reach what it
    must not: ``go test -race`` (or ``-msan``/``-asan``) in the stage, which keeps cgo; the
    final image (its users would inherit it); an ``ONBUILD`` base image's children.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS builder
    WORKDIR /src
    COPY . .
    RUN go build -o /app .
    FROM gcr.io/distroless/static-debian13
    COPY --from=builder /app /app
    ```
    becomes
    ```dockerfile
    FROM golang:1.23 AS builder
    ENV CGO_ENABLED=0 GOOS=linux
    WORKDIR /src
    COPY . .
    RUN go build -o /app .
    FROM gcr.io/distroless/static-debian13
    COPY --from=builder /app /app
    ```
    """

    code = "DFX003"
    name = "cgo-not-disabled"
    summary = "CGO_ENABLED not set for the Go build; set CGO_ENABLED=0 for a static binary"

    VALID = (
        Valid("FROM golang:1.23\nENV CGO_ENABLED=0\nRUN go build -o /app .\n"),
        Valid("FROM golang:1.23\nRUN CGO_ENABLED=0 go build -o /app .\n"),
        Valid("FROM golang:1.23\nRUN go test ./...\n"),  # no build
        Valid("FROM golang:1.23\nRUN go install golang.org/x/tools/cmd/stringer@latest\n"),
        Valid("FROM node:22\nRUN npm ci\n"),  # not Go
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n"
            "FROM scratch\nCOPY --from=builder /app /app\n",
            expected=(
                "FROM golang:1.23 AS builder\nENV CGO_ENABLED=0 GOOS=linux\nWORKDIR /src\n"
                "COPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=builder /app /app\n"
            ),
        ),
        Invalid(
            "from --platform=$BUILDPLATFORM golang:1.23\nARG TARGETOS\n"
            "run GOOS=$TARGETOS go build -o /app .\n",
            expected=(  # the final image: inline, no ENV its users would inherit
                "from --platform=$BUILDPLATFORM golang:1.23\nARG TARGETOS\n"
                "run CGO_ENABLED=0 GOOS=$TARGETOS go build -o /app .\n"
            ),
        ),
        Invalid(
            "FROM golang:1.23\nRUN apt-get update && apt-get install -y libsqlite3-dev\n"
            "RUN go build -o /app .\n",
            expected=None,
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Insert ``ENV CGO_ENABLED=0`` into each compiling stage where that is safe."""
        if not gofacts.builds_go(tree):
            return tree
        context = ctx.build_context
        context_reasons = list(context.cgo_reasons) if context is not None else []
        for index in range(len(tree.stages)):
            tree = self._fix_stage(tree, tree.stages[index], ctx, context_reasons)
        return tree

    def _fix_stage(
        self,
        tree: cst.Dockerfile,
        stage: cst.Stage,
        ctx: RuleContext,
        context_reasons: list[str],
    ) -> cst.Dockerfile:
        steps = buildsteps.go_steps(stage)
        builds = [s for s in steps if buildsteps.produces_binary(s.command)]
        if not builds:
            return tree
        if ctx.suppressed(stage.from_) or any(ctx.suppressed(s.instruction) for s in builds):
            return tree
        if gofacts.cgo_setting(tree, stage) is not None:
            return tree
        if "CGO_ENABLED" in buildsteps.inherited_env(tree, stage):
            return tree
        lineage = [stage, *buildsteps.ancestors(tree, stage)]
        if any(gofacts.is_windows_image(gofacts.stage_image(tree, s)) for s in lineage):
            ctx.report(
                stage.from_,
                MESSAGE,
                fixed=False,
                reason="the stage runs on a Windows image, where GOOS=linux would build a "
                "binary for the wrong system; set CGO_ENABLED=0 by hand if the program "
                "needs no C code",
            )
            return tree
        reasons = gofacts.cgo_reasons(tree, stage, context_reasons)
        for anc in lineage[1:]:
            reasons += gofacts.cgo_reasons(tree, anc, [])
        # -race/-msan/-asan on commands that ship nothing (go test, go vet): they keep cgo,
        # and the binaries can still be static, with CGO_ENABLED=0 on their own builds
        test_only = _flag_reasons([s for s in steps if not buildsteps.produces_binary(s.command)])
        reasons += _flag_reasons(builds)
        for later in buildsteps.descendants(tree, stage):
            later_steps = buildsteps.go_steps(later)
            if not any(buildsteps.compiles(s.command) for s in later_steps):
                continue
            if gofacts.cgo_setting(tree, later) is not None:
                continue
            later_reasons = gofacts.cgo_reasons(tree, later, []) + _flag_reasons(later_steps)
            reasons += [
                f"stage {later.name or later.index} built on this one: {r}" for r in later_reasons
            ]
        reasons = list(dict.fromkeys(reasons))
        final = stage.index == len(tree.stages) - 1
        onbuild = any(ins.name == "ONBUILD" for ins in stage.instructions)
        if not reasons and (test_only or final or onbuild) and all(s.editable for s in builds):
            # the narrow fix: only the builds that ship get CGO_ENABLED=0, inline (an ENV
            # would reach the tests, the final image's users or ONBUILD's children)
            return self._inline(tree, stage, ctx, builds, test_only, final, onbuild)
        reasons += test_only
        if reasons:
            ctx.report(
                stage.from_,
                MESSAGE,
                fixed=False,
                reason="the build needs cgo ("
                + "; ".join(reasons)
                + "), so CGO_ENABLED=0 would break it; "
                + _suggestion(tree, stage),
            )
            return tree
        setting = "ENV CGO_ENABLED=0"
        if not _sets_goos(tree, stage, steps):
            setting += " GOOS=linux"
        node = new_instruction(tree, setting, indent=buildsteps.body_indent(stage))
        ctx.report(
            stage.from_,
            f"{MESSAGE}: the binary may link against the C library; "
            f"set `{setting}` for a static binary",
            fixed=True,
        )
        return tree.insert_after(stage.from_, [node])

    def _inline(
        self,
        tree: cst.Dockerfile,
        stage: cst.Stage,
        ctx: RuleContext,
        builds: list[buildsteps.GoStep],
        test_only: list[str],
        final: bool,
        onbuild: bool,
    ) -> cst.Dockerfile:
        """``CGO_ENABLED=0`` inline on each build that ships a binary."""
        by_instruction: dict[int, list[buildsteps.GoStep]] = {}
        for step in builds:
            by_instruction.setdefault(id(step.instruction), []).append(step)
        why = (
            test_only[0] + " (the tests keep cgo)"
            if test_only
            else "an ONBUILD base image's children would inherit an ENV"
            if onbuild
            else "the stage is the final image, whose users an ENV would reach"
        )
        for steps in by_instruction.values():
            ins = steps[0].instruction
            new = ins
            for step in sorted(steps, key=lambda s: s.command.start, reverse=True):
                assert step.offset is not None
                at = step.offset + step.command.start
                new = new.replace_span(at, at, "CGO_ENABLED=0 ")
            ctx.touch(ins)
            tree = tree.replace(ins, new)
            ctx.report(
                ins,
                f"{MESSAGE}: the binary may link against the C library; "
                f"`CGO_ENABLED=0` set on the build that ships it ({why})",
                fixed=True,
            )
        return tree
