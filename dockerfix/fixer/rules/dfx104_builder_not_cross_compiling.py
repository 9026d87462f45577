"""DFX104 builder-not-cross-compiling (opt-in)."""

from __future__ import annotations

import posixpath
import re

from dockerfix import cst
from dockerfix.facts import gocmd, gofacts, gorun, shellwords, stagegraph
from dockerfix.fixer import edits
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid
from dockerfix.fixer.style import new_instruction


def _is_variable(value: str | None, name: str) -> bool:
    """True for ``$NAME``, ``${NAME}`` and ``${NAME:-default}`` (and the other modifiers)."""
    if value is None:
        return False
    pattern = rf"\$(?:{name}|\{{{name}(?::?[-=+?][^}}]*)?\}})"
    return re.fullmatch(pattern, value.strip().strip("'\"")) is not None


# Where a builder keeps programs and libraries for its own platform: copying them out of a
# builder that runs on $BUILDPLATFORM gives the runtime image files of the wrong architecture.
_NATIVE_DIRS = (
    "/bin", "/sbin", "/lib", "/lib64", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64",
    "/usr/libexec", "/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/usr/local/go",
    "/go/bin", "/opt",
)  # fmt: skip


def _covers(outer: str, inner: str) -> bool:
    outer = outer.rstrip("/") or "/"
    return inner == outer or outer == "/" or inner.startswith(outer + "/")


class _Family:
    """A ``golang`` builder stage and the stages built on it."""

    __slots__ = (
        "arg_stages",
        "blockers",
        "module_path",
        "moved",
        "outputs",
        "replacements",
        "root",
        "stages",
    )

    def __init__(
        self,
        root: cst.Stage,
        stages: list[cst.Stage],
        blockers: list[tuple[cst.Instruction, str]] | None = None,
        replacements: dict[int, tuple[cst.Instruction, list[tuple[int, int, str]]]] | None = None,
        arg_stages: dict[int, list[str]] | None = None,
        outputs: list[str] | None = None,
        module_path: str | None = None,
        moved: bool = False,
    ) -> None:
        self.root = root
        self.stages = stages
        self.blockers: list[tuple[cst.Instruction, str]] = [] if blockers is None else blockers
        self.replacements: dict[int, tuple[cst.Instruction, list[tuple[int, int, str]]]] = (
            {} if replacements is None else replacements
        )
        # stage index -> missing
        self.arg_stages: dict[int, list[str]] = {} if arg_stages is None else arg_stages
        self.outputs: list[str] = [] if outputs is None else outputs
        self.module_path = module_path
        self.moved = moved  # the root FROM gets --platform=$BUILDPLATFORM

    def block(self, node: cst.Instruction, reason: str) -> None:
        self.blockers.append((node, reason))

    def replace(self, ins: cst.Instruction, start: int, end: int, text: str) -> None:
        self.replacements.setdefault(id(ins), (ins, []))[1].append((start, end, text))


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})


def _opaque_run_after(
    tree: cst.Dockerfile, stage: cst.Stage, build: cst.Instruction
) -> tuple[cst.Instruction, str] | None:
    """A ``RUN`` after ``build`` (in its stage or one built on it) that runs a Makefile or a
    script, and what it runs: code dockerfix does not read, which may start the binary."""
    holders = [stage, *stagegraph.descendants(tree, stage)]
    seen_build = False
    for st in holders:
        for ins in st.instructions:
            if ins is build:
                seen_build = True
                continue
            if ins.name != "RUN" or (st is stage and not seen_build):
                continue
            for script, _ in gofacts.run_scripts(ins):
                for command in shellwords.simple_commands(script):
                    words = [w.value or "" for w in command.words]
                    first = words[0].rsplit("/", 1)[-1] if words else ""
                    if first in ("make", "gmake") or first.endswith(".sh"):
                        return ins, f"`{' '.join(words[:2])}`"
                    if first in _SHELLS and len(words) > 1 and not words[1].startswith("-"):
                        return ins, f"`{' '.join(words[:2])}`"
    return None


class BuilderNotCrossCompiling(Rule):
    """The Go builder runs on the target platform instead of cross-compiling.

    ## What it does
    For a builder stage on a ``golang`` image whose builds have cgo off, makes the builder
    run on the machine that builds and lets Go cross-compile for the image's platform:
    ``FROM --platform=$BUILDPLATFORM golang:...``, ``ARG TARGETOS TARGETARCH`` in each stage
    that builds, and ``GOOS=$TARGETOS GOARCH=$TARGETARCH`` on each ``go build`` (an inline
    ``GOOS=linux`` becomes ``GOOS=$TARGETOS``). Off by default; select it with
    ``--select DFX104``.

    ## Why is this bad?
    In a multi-platform build (``docker buildx build --platform linux/amd64,linux/arm64``)
    a builder without ``--platform`` runs once per target platform, under QEMU emulation
    for the foreign ones: the Go compiler then runs many times slower. Go cross-compiles
    natively and fast when cgo is off, so the builder can run on the build machine's own
    platform, and only the runtime stage is per platform.

    ## Fix safety
    The image for each platform gets the same binary as before (with cgo off, Go produces
    the same code cross-compiled). Needs BuildKit (Docker 23.0+ or buildx), which sets
    ``BUILDPLATFORM``, ``TARGETOS`` and ``TARGETARCH``. Not applied when:

    * cgo is not explicitly off for a build (``CGO_ENABLED=0`` by ``ENV``, ``ARG``, an
      inline assignment or ``export``), or the build context needs cgo: cross-compiling
      silently turns cgo off;
    * the builder's platform is pinned (``--platform=linux/amd64``), or ``GOOS``/``GOARCH``
      are set to something else than the target;
    * a ``go install`` of a local package (it writes cross-compiled binaries to
      ``$GOPATH/bin/$GOOS_$GOARCH``), or a ``go build`` in a heredoc;
    * a later ``RUN`` of the builder runs the built binary (it would be for the target),
      or runs a Makefile or a script, which may do so;
    * a ``COPY --from`` takes programs or libraries the builder installed for its own
      platform (``/usr/bin``, ``/usr/local/bin``, ``/go/bin`` ...) into another stage;
    * the builder is also the final stage (the image itself would change platform).

    ``GOARM`` (for ``linux/arm/v6``/``v7``) is not derived from ``TARGETVARIANT``; set it by
    hand when building for 32-bit ARM. Tools installed with ``go install tool@version``
    keep running on the build platform, which is what a build step needs.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS builder
    ENV CGO_ENABLED=0
    RUN go build -o /app .
    ```
    becomes
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.23 AS builder
    ARG TARGETOS TARGETARCH
    ENV CGO_ENABLED=0
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .
    ```
    """

    code = "DFX104"
    name = "builder-not-cross-compiling"
    summary = "The golang builder runs emulated per platform; cross-compile on $BUILDPLATFORM"
    default = False

    VALID = (
        Valid(
            "FROM --platform=$BUILDPLATFORM golang:1.23 AS builder\nARG TARGETOS TARGETARCH\n"
            "RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .\n"
            'FROM scratch\nCOPY --from=builder /app /app\nENTRYPOINT ["/app"]\n'
        ),
        Valid(
            "FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
            'FROM scratch\nCOPY --from=builder /app /app\nENTRYPOINT ["/app"]\n'
        ),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23 AS builder\nENV CGO_ENABLED=0\nRUN go build -o /app .\n"
            'FROM scratch\nCOPY --from=builder /app /app\nENTRYPOINT ["/app"]\n',
            expected=(
                "FROM --platform=$BUILDPLATFORM golang:1.23 AS builder\n"
                "ARG TARGETOS TARGETARCH\nENV CGO_ENABLED=0\n"
                "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .\n"
                'FROM scratch\nCOPY --from=builder /app /app\nENTRYPOINT ["/app"]\n'
            ),
        ),
        Invalid(
            "FROM golang:1.23 AS builder\nRUN CGO_ENABLED=0 GOARCH=amd64 go build -o /app .\n"
            'FROM scratch\nCOPY --from=builder /app /app\nENTRYPOINT ["/app"]\n',
            expected=None,
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Move each cgo-free golang builder to $BUILDPLATFORM and cross-compile."""
        if not gofacts.builds_go(tree):
            return tree
        stages = tree.stages
        roots: list[cst.Stage] = []
        for run in gorun.go_runs(tree):
            if run.command.subcommand not in ("build", "install"):
                continue
            root = stagegraph.chain(tree, run.stage)[-1]
            if all(r.index != root.index for r in roots):
                roots.append(root)
        for root in roots:
            image = gofacts.stage_image(tree, root)
            if not gofacts.is_go_image(image) or gofacts.is_windows_image(image):
                continue
            if ctx.suppressed(root.from_):
                continue
            family = _Family(root, [root, *stagegraph.descendants(tree, root)])
            self._analyse(tree, ctx, family)
            if not family.replacements and not family.arg_stages:
                continue  # cross-compiling already, or nothing to cross-compile
            if any(s.index == stages[-1].index for s in family.stages):
                family.block(
                    stages[-1].from_,
                    "the builder is also the final stage, so the image itself would change "
                    "platform; split off a runtime stage first (DFX001)",
                )
            if family.blockers:
                node, _ = family.blockers[0]
                ctx.report(
                    node,
                    "the Go builder runs on the target platform (emulated in multi-platform "
                    "builds)",
                    fixed=False,
                    reason="; ".join(dict.fromkeys(r for _, r in family.blockers))
                    + "; cross-compile by hand if the build allows it",
                )
                continue
            tree = self._edit(tree, ctx, family)
        return tree

    # -- analysis -----------------------------------------------------------------------
    def _analyse(self, tree: cst.Dockerfile, ctx: RuleContext, family: _Family) -> None:
        root = family.root
        context = ctx.build_context
        family.module_path = context.module_path if context is not None else None
        members = {s.index for s in family.stages}
        builds: list[tuple[cst.Stage, gorun.GoRun, str | None]] = []
        for stage in family.stages:
            packages = context.module_packages if context is not None else None
            outputs = {
                (id(b.instruction), b.command.start): b.output
                for b in gofacts.go_builds(tree, family.module_path, stage, packages)
            }
            for run in gorun.go_runs(tree, stage):
                cmd = run.command
                if cmd.subcommand not in ("build", "install"):
                    continue
                if (cmd.program.value or "").rsplit("/", 1)[-1] == "xx-go":
                    continue  # tonistiigi/xx cross-compiles by itself
                if cmd.subcommand == "install" and any("@" in p for p in cmd.packages):
                    continue  # a tool for the build itself: right on $BUILDPLATFORM
                builds.append((stage, run, outputs.get((id(run.instruction), cmd.start))))
        apps = 0
        for stage, run, output in builds:
            tool, shipped = self._uses(tree, stage, output)
            if tool and not shipped:
                continue  # a program the build runs itself: it stays native
            if tool and shipped:
                family.block(
                    run.instruction,
                    f"{output} is both run during the build and shipped, so it would be "
                    "needed for both platforms",
                )
            opaque = _opaque_run_after(tree, stage, run.instruction)
            if opaque is not None:
                family.block(
                    opaque[0],
                    f"a later RUN runs {opaque[1]}, which dockerfix cannot see into: it may "
                    "run the binary, built for the target platform",
                )
            apps += 1
            if output is not None:
                family.outputs.append(output)
            self._analyse_build(tree, family, stage, stagegraph.chain(tree, stage), run)
        if not apps:
            family.blockers.clear()
            family.replacements.clear()
            family.arg_stages.clear()
            return
        platform = root.platform
        if platform is None:
            start, _ = edits.arguments_span(root.from_)
            logical = root.from_.logical
            while start > 0 and logical[start - 1] in " \t":
                start -= 1
            family.replace(root.from_, start, start, " --platform=$BUILDPLATFORM")
            family.moved = True
        elif not _is_variable(platform, "BUILDPLATFORM"):
            family.block(root.from_, f"the builder is pinned to --platform={platform}")
        if context is not None and context.needs_cgo:
            family.block(root.from_, f"the build needs cgo ({context.cgo_reasons[0]})")
        if family.replacements or family.arg_stages:
            self._check_copies(tree, family, members)

    @staticmethod
    def _uses(tree: cst.Dockerfile, stage: cst.Stage, output: str | None) -> tuple[bool, bool]:
        """(run during the build, shipped) for an output of ``stage``; unknown: shipped.

        Only ``stage`` and the stages built on it hold the file: a ``RUN`` there that
        starts it, or a ``COPY --from`` of one of them into a stage that runs on
        ``$BUILDPLATFORM``, makes it a build tool; a copy into any other stage ships it.
        """
        if output is None:
            return False, True
        holders = [stage, *stagegraph.descendants(tree, stage)]
        holder_idx = {s.index for s in holders}
        tool = shipped = False
        for st in holders:
            for ins in st.instructions:
                if ins.name != "RUN":
                    continue
                workdir = gofacts.workdir_at(tree, st, ins)
                for script, _ in gofacts.run_scripts(ins):
                    for command in shellwords.simple_commands(script):
                        first = command.words[0].value if command.words else None
                        if first and "/" in first and gofacts.resolve(workdir, first) == output:
                            tool = True
        for later in tree.stages:
            if later.index in holder_idx:
                continue
            native = _runs_on_build_platform(tree, later)
            for ins in later.instructions:
                ref = stagegraph.copy_from_ref(ins)
                source = (
                    stagegraph.referenced_stage(tree, ref, later.index) if ref is not None else None
                )
                if source is None or source.index not in holder_idx:
                    continue
                if stagegraph.copied_to(ins, gofacts.workdir_at(tree, later, ins), output) != "":
                    if native:
                        tool = True
                    else:
                        shipped = True
        if not tool:
            shipped = True  # nothing uses it where we can see: assume it is the application
        return tool, shipped

    def _analyse_build(
        self,
        tree: cst.Dockerfile,
        family: _Family,
        stage: cst.Stage,
        stages_chain: list[cst.Stage],
        run: gorun.GoRun,
    ) -> None:
        ins, cmd = run.instruction, run.command
        env = stagegraph.chain_env(tree, stages_chain, ins)
        exported = gocmd.exported_env(run.script[: cmd.start])

        def value(name: str) -> str | None:
            for source in (cmd.env, exported, env):
                if name in source:
                    return source[name].strip("'\"")
            return None

        cgo = value("CGO_ENABLED")
        if cgo != "0":
            shown = "not set" if cgo is None else f"CGO_ENABLED={cgo}"
            family.block(
                ins,
                f"cgo is not explicitly off for `go {cmd.subcommand}` ({shown}); "
                "cross-compiling turns cgo off, which changes the binary; set "
                "CGO_ENABLED=0 first (DFX003)",
            )
        goos, goarch = value("GOOS"), value("GOARCH")
        os_ok = goos == "linux" or _is_variable(goos, "TARGETOS")
        arch_ok = _is_variable(goarch, "TARGETARCH")
        if goarch is not None and not arch_ok:
            family.block(ins, f"GOARCH is set to {goarch}")
        if goos is not None and not os_ok:
            family.block(ins, f"GOOS is set to {goos}")
        needed = [n for n, v in (("TARGETOS", goos), ("TARGETARCH", goarch)) if _is_variable(v, n)]
        if arch_ok and (os_ok or goos is None):
            # Already cross-compiling (an unset GOOS is the builder's, linux, as the target's).
            self._need_args(family, stage, ins, needed)
            return
        if cmd.subcommand == "install":
            family.block(
                ins,
                "`go install` of a local package writes cross-compiled binaries to "
                "$GOPATH/bin/$GOOS_$GOARCH; use go build -o",
            )
            return
        if run.offset is None:
            family.block(ins, "a go build is in a heredoc, which is not edited in place")
            return
        words: list[str] = []
        if goos is None:
            words.append("GOOS=$TARGETOS")
            needed.append("TARGETOS")
        if goarch is None:
            words.append("GOARCH=$TARGETARCH")
            needed.append("TARGETARCH")
        goos_word = next((w for w in cmd.env_words if w.text.startswith("GOOS=")), None)
        if words == ["GOARCH=$TARGETARCH"] and goos_word is not None:
            at, _ = run.span(goos_word.end, goos_word.end)
            family.replace(ins, at, at, " GOARCH=$TARGETARCH")
        elif words:
            at, _ = run.span(cmd.start, cmd.start)
            family.replace(ins, at, at, " ".join(words) + " ")
        self._need_args(family, stage, ins, needed)

    @staticmethod
    def _need_args(
        family: _Family, stage: cst.Stage, ins: cst.Instruction, names: list[str]
    ) -> None:
        declared: set[str] = set()
        for i in stage.instructions:
            if i is ins:
                break
            if i.name == "ARG":
                declared.update(w.partition("=")[0] for w in i.args)
        missing = [n for n in ("TARGETOS", "TARGETARCH") if n in names and n not in declared]
        if missing:
            have = family.arg_stages.setdefault(stage.index, [])
            have.extend(n for n in missing if n not in have)
            have.sort(key=("TARGETOS", "TARGETARCH").index)

    def _check_copies(self, tree: cst.Dockerfile, family: _Family, members: set[int]) -> None:
        for later in tree.stages:
            if later.index in members or _runs_on_build_platform(tree, later):
                continue
            for ins in later.instructions:
                ref = stagegraph.copy_from_ref(ins)
                if ref is None:
                    continue
                source = stagegraph.referenced_stage(tree, ref, later.index)
                if source is None or source.index not in members:
                    continue
                for src in ins.args[:-1]:
                    path = posixpath.normpath(src)
                    if any(_covers(path, out) or _covers(out, path) for out in family.outputs):
                        continue
                    if any(_covers(d, path) for d in _NATIVE_DIRS):
                        family.block(
                            ins,
                            f"COPY --from={ref} {src} takes a program or library built or "
                            "installed for the builder's own platform",
                        )

    # -- editing ------------------------------------------------------------------------
    @staticmethod
    def _edit(tree: cst.Dockerfile, ctx: RuleContext, family: _Family) -> cst.Dockerfile:
        for ins, replacements in family.replacements.values():
            ctx.touch(ins)
            tree = tree.replace(ins, gorun.apply_replacements(ins, replacements))
        for index, missing in family.arg_stages.items():
            stage = tree.stages[index]
            arg = new_instruction(tree, "ARG " + " ".join(missing), indent=stage.from_.indent)
            tree = tree.insert_after(stage.from_, [arg])
        root_from = tree.stages[family.root.index].from_
        if family.moved:
            message = (
                "the Go builder runs on the target platform (emulated in multi-platform "
                "builds); it now runs on $BUILDPLATFORM and cross-compiles for "
                "$TARGETOS/$TARGETARCH"
            )
        else:
            message = (
                "the Go builder runs on $BUILDPLATFORM but does not cross-compile, so the "
                "binary is for the build machine; go build now targets $TARGETOS/$TARGETARCH"
            )
        ctx.report(root_from, message, fixed=True)
        return tree


def _runs_on_build_platform(tree: cst.Dockerfile, stage: cst.Stage) -> bool:
    """True when the stage (through its chain) runs on ``$BUILDPLATFORM``."""
    return any(_is_variable(st.platform, "BUILDPLATFORM") for st in stagegraph.chain(tree, stage))
