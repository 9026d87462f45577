"""DFX001 single-stage-go-build.

The analysis that decides the split and the edit that makes it live in
``dockerfix.fixer.split``.
"""

from __future__ import annotations

from dockerfix import cst
from dockerfix.facts import gofacts
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid
from dockerfix.fixer.split.analysis import plan_split
from dockerfix.fixer.split.candidate import Blocked
from dockerfix.fixer.split.plan import apply_plan

MESSAGE = "single-stage Go build: the final image ships the Go toolchain and the source code"


class SingleStageGoBuild(Rule):
    """Ships the Go toolchain and sources: a single stage that builds and runs the binary.

    ## What it does
    Splits a Dockerfile with one stage that compiles a Go program on a golang
    image into a builder stage (the same stage, named ``builder`` with
    ``AS builder`` unless it has a name) and a runtime stage appended at the
    end, on ``gcr.io/distroless/static-debian13`` (option ``runtime_image`` /
    ``--runtime-image``). The runtime stage gets:

    * ``WORKDIR /`` and the binary, ``COPY --from=builder <path> /<name>``; the
      binary is the one the ``CMD``/``ENTRYPOINT`` runs (the ``-o`` path, or the
      name Go derives from the module path when there is no ``-o``);
    * the files the program reads by relative path at run time (found in the
      build context, minus what ``//go:embed`` embeds), copied from the builder
      to the same place; the runtime ``WORKDIR`` then stays the builder's so the
      paths resolve the same;
    * on ``scratch``: the CA certificates, and Go's ``zoneinfo.zip`` with
      ``ENV ZONEINFO`` when the program loads time zones; when the builder adds
      CA certificates of its own, the bundle on any runtime image;
    * what belongs to the running container, moved from the builder in its
      original order with the comments above it: ``EXPOSE``, ``LABEL``,
      ``VOLUME``, ``STOPSIGNAL``, ``MAINTAINER``, a non-root ``USER``, an
      exec-form ``HEALTHCHECK`` that runs the binary (or ``HEALTHCHECK NONE``),
      ``COPY``/``ADD`` placed after the build; ``ENV`` is copied (it stays in the
      builder too) except the Go toolchain's variables (``GOOS``, ``GOPROXY``,
      ``GOFLAGS``, ``CGO_*``, ``PATH`` ...; the runtime's ``GOGC``,
      ``GOMAXPROCS``, ``GOMEMLIMIT``, ``GODEBUG`` are copied); ``ARG`` lines for
      the build arguments those instructions use;
    * last, an exec-form ``ENTRYPOINT`` with the runtime path of the binary and
      the original arguments (plus the exec-form ``CMD`` of an
      ``ENTRYPOINT``/``CMD`` pair). ``USER 65532:65532`` is left to DFX006.

    ## Why is this bad?
    The final image carries the whole Go toolchain, the module cache and the
    source code: hundreds of megabytes to pull and store, and compilers, shells
    and package managers for an attacker to use. The program needs only its
    binary: a minimal runtime stage is smaller, faster to deploy and offers
    almost nothing to attack.

    ## Fix safety
    The runtime image has no shell, package manager or C library (distroless
    static, scratch), so the stage is left unsplit, with the reason, when the
    split could break it:

    * the build needs cgo (a cgo module, ``import "C"``, ``CGO_ENABLED=1``, a C
      toolchain, ``-race``) and the runtime image has no C library: on a Debian
      builder the split goes to the ``cc`` variant of the runtime image
      (``gcr.io/distroless/cc-debian13``: glibc, libgcc, libstdc++) when that is all
      the binary can need (see DFX008: no library installed in the builder, cgo from
      the toolchain or a module that compiles its C code in, a builder release not
      newer than the image's), else it declines; on an alpine builder use an alpine
      runtime image (``--runtime-image alpine:3``), which the split then uses;
    * ``CGO_ENABLED`` is left to its default on a builder with a C compiler and
      DFX003 (which sets ``CGO_ENABLED=0``) is switched off;
    * the binary's path is unknown (``-o $VAR``, no ``-o`` and no build
      context to read the module path from, ``go install ./...`` or
      ``-o dir/`` without the build context, two main packages with one
      binary name), or the
      ``CMD``/``ENTRYPOINT`` runs something else (a script, ``go run``, a
      shell, a tool), or there is none;
    * the start command or a ``HEALTHCHECK`` needs a shell or runs
      ``curl``/``wget``;
    * ``RUN`` steps after the build (other than go commands and read-only or
      binary-only ones such as ``chmod +x`` of the binary), packages installed
      that are not build tools, directories created for run time, a ``VOLUME``
      the build writes to, a named ``USER`` the runtime image does not have,
      ``ONBUILD``, ``SHELL``, Windows images, other base images than golang;
    * the program runs other programs (``os/exec`` with a literal name such as
      ``git``, ``sh`` or ``ffmpeg``, or a name it computes): the runtime image
      has none of them.

    Files the program reads at run time are copied into the runtime stage at
    the same paths, with the builder's ``WORKDIR`` kept: the paths its source
    names (in the calls that open files, through constants and ``Join``s of
    them, flag defaults, any literal naming a file of the context or a top
    folder of data such as ``"migrations"``), the relative paths in
    ``ENV`` values and the start command, and the files the Dockerfile copies to
    absolute places (``COPY app.conf /etc/app/app.conf``). When the build
    context is unknown (stdin without a file name), they cannot be checked: the
    runtime stage then keeps the builder's whole working directory (sources
    included) at the same place, or the split is declined when that directory
    is a system one (``/``, ``/go``); the caveat says so. So does a program that
    opens a file by a path dockerfix cannot follow (``os.ReadFile(name)`` of a
    parameter), unless the path is what it is given at run time (a flag, an
    environment variable, its arguments); the caveat names the call. Files
    written by ``RUN`` before the build are not there.

    A stage that builds several binaries ships all of them at the paths the
    builder wrote them to, and a start command given by ``CMD`` alone stays a
    ``CMD``, so ``docker run IMAGE /bin/other`` still works (by path: the
    caveat says when their folder, such as ``/go/bin``, is not on the runtime
    image's ``PATH``). With the build context, a pattern (``go install ./...``,
    ``go build -o /out/ ./cmd/...``) builds one binary per main package of the
    module (not a nested module's, not a ``//go:build ignore`` generator's); a
    build whose binaries cannot be named declines the split.

    ## Example
    With its build context (a program that reads no files at run time):
    ```dockerfile
    FROM golang:1.23-alpine
    WORKDIR /app
    COPY . .
    RUN go build -o /app/server ./cmd/server
    EXPOSE 8080
    CMD ["/app/server"]
    ```
    becomes
    ```dockerfile
    FROM golang:1.23-alpine AS builder
    WORKDIR /app
    COPY . .
    RUN go build -o /app/server ./cmd/server
    FROM gcr.io/distroless/static-debian13
    WORKDIR /
    COPY --from=builder /app/server /server
    EXPOSE 8080
    ENTRYPOINT ["/server"]
    ```
    """

    code = "DFX001"
    name = "single-stage-go-build"
    summary = "Single-stage Go build; split into a builder and a minimal runtime stage"

    VALID = (
        Valid(
            "FROM golang:1.23 AS build\nRUN go build -o /app .\n"
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=build /app /app\n"
            'ENTRYPOINT ["/app"]\n'
        ),
        Valid("FROM node:22\nCOPY . .\nCMD node server.js\n"),
        Valid('FROM golang:1.23\nRUN go build -o /app .\nCMD ["sh", "start.sh"]\n'),
        Valid("FROM golang:1.23\nRUN go build -o /app .\nCMD /app --port $PORT\n"),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23-alpine\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\n"
            'EXPOSE 8080\nCMD ["/app/server"]\n',
            expected=(
                "FROM golang:1.23-alpine AS builder\nWORKDIR /app\nCOPY . .\n"
                "RUN go build -o /app/server .\n"
                "FROM gcr.io/distroless/static-debian13\nWORKDIR /app\n"
                "COPY --from=builder /app /app\nEXPOSE 8080\n"
                'ENTRYPOINT ["/app/server"]\n'
            ),
        ),
        Invalid(
            "from golang:1.23-alpine\nworkdir /src\ncopy . .\n"
            "run go build -o app ./cmd/app\nentrypoint ./app --port 80\n",
            expected=(
                "from golang:1.23-alpine as builder\nworkdir /src\ncopy . .\n"
                "run go build -o app ./cmd/app\n"
                "from gcr.io/distroless/static-debian13\nworkdir /src\n"
                "copy --from=builder /src /src\n"
                'entrypoint ["/src/app", "--port", "80"]\n'
            ),
        ),
        Invalid(
            "FROM golang:1.23\nRUN apt-get update && apt-get install -y ffmpeg\n"
            'RUN go build -o /app .\nCMD ["/app"]\n',
            expected=None,
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Split the file's only stage when it builds a Go binary and nothing forbids it."""
        stages = tree.stages
        if len(stages) != 1 or not gofacts.builds_go(tree):
            return tree
        for ins in tree.instructions:
            if ins is stages[0].from_:
                break
            if ins.name != "ARG":
                return tree
        stage = stages[0]
        if ctx.suppressed(stage.from_) or any(ctx.suppressed(i) for i in stage.instructions):
            return tree  # the split rewrites the whole stage: a suppression anywhere in it
        try:
            plan = plan_split(tree, ctx, stage)
        except Blocked as blocked:
            ctx.report(blocked.node, MESSAGE, fixed=False, reason=blocked.reason)
            return tree
        binary = plan.binary
        if plan.runtime_binary != binary:
            binary += f" (as {plan.runtime_binary})"
        message = (
            f"{MESSAGE}; split into the builder stage `{plan.builder_name}` and a runtime "
            f"stage on {plan.runtime_image} that runs {binary}"
        )
        if plan.notes:
            message += "; " + "; ".join(plan.notes)
        ctx.report(stage.from_, message, fixed=True, caveats=plan.notes)
        return apply_plan(tree, ctx, plan)
