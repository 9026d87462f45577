"""DFX101 go-build-cache-not-mounted (opt-in)."""

from __future__ import annotations

import posixpath
import re

from dockerfix import cst
from dockerfix.facts import gocmd, gofacts, gorun, shellwords, stagegraph
from dockerfix.facts.sources import mount_fields
from dockerfix.fixer import edits
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid

#: Subcommands that compile, so use the build cache (GOCACHE).
_COMPILE = frozenset({"build", "install", "run", "test", "vet"})
#: Subcommands that read or fill the module cache (GOMODCACHE).
_MODULES = _COMPILE | frozenset(
    {
        "get", "list", "generate", "mod download", "mod tidy", "mod vendor", "mod verify",
        "mod graph", "mod why", "work sync", "work vendor",
    }
)  # fmt: skip
#: Programs that may run ``go`` where the tool cannot see it.
_OPAQUE = frozenset(
    {"make", "gmake", "mage", "task", "just", "goreleaser", "bazel", "bazelisk", "earthly"}
)
_FIRST_GO_WITH_BUILD_CACHE = (1, 10)
_FIRST_GO_WITH_MODULES = (1, 11)
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
_CACHE_ENV = ("GOCACHE", "GOMODCACHE", "GOPATH", "HOME", "XDG_CACHE_HOME")
_SYNTAX_REPOS = ("docker/dockerfile", "docker/dockerfile-upstream")
_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?")


def syntax_blocker(tree: cst.Dockerfile) -> str | None:
    """Why the file's ``# syntax=`` frontend may not support ``RUN --mount``, or None."""
    for directive in tree.directives:
        if directive.name.lower() != "syntax":
            continue
        image = directive.value.strip()
        repo = stagegraph.official_name(image)
        if repo not in _SYNTAX_REPOS:
            return f"the file uses the Dockerfile frontend `{image}`, which may not support it"
        tag = gofacts.image_tag(image)
        m = _VERSION.match(tag)
        if m and m.group(2) is not None and "experimental" not in tag:
            version = (int(m.group(1)), int(m.group(2)))
            if version < (1, 2):
                return f"`# syntax={image}` predates RUN --mount (Dockerfile syntax 1.2)"
    return None


def _mount_targets(ins: cst.Instruction) -> list[str]:
    targets: list[str] = []
    for flag in ins.flags:
        if flag.name != "mount" or not flag.value:
            continue
        fields = mount_fields(flag.value)
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if target:
            targets.append(posixpath.normpath(target))
    return targets


def _covers(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")


def _overlaps(a: str, b: str) -> bool:
    return _covers(a, b) or _covers(b, a)


def _runs_opaque_builder(script: str) -> bool:
    """True when the script runs a build tool or script that may call ``go`` itself."""
    for cmd in shellwords.simple_commands(script):
        words = [w.value or "" for w in cmd.words]
        if not words:
            continue
        program = words[0].rsplit("/", 1)[-1]
        if program in _OPAQUE or program.endswith(".sh") or words[0].startswith("./"):
            return True
        if program in _SHELLS and len(words) > 1 and not words[1].startswith("-"):
            return True
    return False


class _Plan:
    __slots__ = ("build", "ins", "modules", "needs_modules", "notes", "opaque", "stage")

    def __init__(
        self,
        ins: cst.Instruction,
        stage: cst.Stage,
        build: str | None = None,
        modules: str | None = None,
        needs_modules: bool = False,
        opaque: bool = False,
        notes: list[str] | None = None,
    ) -> None:
        self.ins = ins
        self.stage = stage
        self.build = build  # GOCACHE to mount
        self.modules = modules  # GOMODCACHE to mount
        self.needs_modules = needs_modules
        self.opaque = opaque
        self.notes: list[str] = [] if notes is None else notes


#: programs that build Go when the container starts (the go tool, hot-reload watchers)
_GO_AT_START = frozenset({"go", "air", "CompileDaemon", "reflex", "realize", "fresh", "gow"})


def _starts_go_tool(final: cst.Stage) -> str | None:
    """What the final stage's start command runs when that builds Go (``go run .``, ``air``),
    as a short quote; None otherwise."""
    start = next((i for i in reversed(final.instructions) if i.name in ("ENTRYPOINT", "CMD")), None)
    if start is None or not start.args:
        return None
    words = start.args if start.is_exec_form else start.logical.split()[1:]
    first = words[0].rsplit("/", 1)[-1] if words else ""
    if first in _GO_AT_START:
        return f"`{' '.join(words[:2])}`"
    return None


class GoBuildCacheNotMounted(Rule):
    """``go build`` in a ``RUN`` without a BuildKit cache mount for Go's caches.

    ## What it does
    In the stages built on a ``golang`` image, adds
    ``--mount=type=cache,target=/root/.cache/go-build`` (the build cache) to each ``RUN``
    that compiles (``go build``/``install``/``run``/``test``/``vet``) and
    ``--mount=type=cache,target=/go/pkg/mod`` (the module cache) to each ``RUN`` that
    downloads or uses modules (``go mod download`` and the compiling commands). The
    targets follow ``GOCACHE``, ``GOMODCACHE``, ``GOPATH``, ``HOME`` and
    ``XDG_CACHE_HOME`` when the stage sets them. Off by default; select it with
    ``--select DFX101``.

    ## Why is this bad?
    Without cache mounts every change to the source recompiles every dependency from
    scratch, and every change to ``go.mod`` downloads every module again. A cache mount
    keeps both caches between builds, outside the image layers.

    ## Fix safety
    ``RUN --mount`` needs BuildKit, Docker's default builder since Docker 23.0, and
    Dockerfile syntax 1.2 or later, which BuildKit's built-in frontend has had since
    2020: no ``# syntax=`` line is required or added. The rule declines when a
    ``# syntax=`` line names an older or a third-party frontend, on Windows images, for
    stages that run as a non-root ``USER`` (cache mounts are owned by root; add ``uid=``
    by hand), and where a cache variable is set to something it cannot resolve.
    Existing mounts on the same (or a covering) target are kept and not duplicated.

    Files in a cache mount are not in the image. So the module cache is not mounted when
    a later step of the stage (or of a stage built on it) may need the downloaded modules
    without mounting them: a build tool or script the tool cannot see into (``make``,
    ``./build.sh``), or a ``COPY --from`` of the cache directory; such a step would
    download everything again or fail offline. The build cache is still mounted then.
    When the container itself builds Go as it starts (``CMD ["go", "run", "."]``, a
    watcher such as ``air``), the stages of the final image get no cache mount at all:
    it needs the modules and the build cache in its layers.

    ## Example
    ```dockerfile
    RUN go mod download
    RUN go build -o /app .
    ```
    becomes
    ```dockerfile
    RUN --mount=type=cache,target=/go/pkg/mod go mod download
    RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .
    ```
    """  # noqa: E501

    code = "DFX101"
    name = "go-build-cache-not-mounted"
    summary = "go build without BuildKit cache mounts for the build and module caches"
    default = False

    VALID = (
        Valid(
            "FROM golang:1.23\nRUN --mount=type=cache,target=/go/pkg/mod "
            "--mount=type=cache,target=/root/.cache/go-build go build -o /app .\n"
        ),
        Valid("# syntax=docker/dockerfile:1.1\nFROM golang:1.23\nRUN go build -o /app .\n"),
        Valid("FROM alpine:3.20\nRUN apk add --no-cache curl\n"),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23\nRUN go mod download\nRUN go build -o /app .\n",
            expected=(
                "FROM golang:1.23\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n"
                "RUN --mount=type=cache,target=/go/pkg/mod "
                "--mount=type=cache,target=/root/.cache/go-build go build -o /app .\n"
            ),
        ),
        Invalid(
            "FROM golang:1.23\nRUN go mod download\nRUN make build\n",
            expected=None,
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Add the missing cache mounts to the Go ``RUN``s of ``golang`` stages."""
        if not gofacts.builds_go(tree):
            return tree
        plans = self._plan(tree, ctx)
        if not plans:
            return tree
        blocker = syntax_blocker(tree)
        if blocker is not None:
            for plan in plans.values():
                if plan.build or plan.modules:
                    ctx.report(
                        plan.ins,
                        "Go caches are not mounted",
                        fixed=False,
                        reason=f"{blocker}; use `# syntax=docker/dockerfile:1` to add cache mounts",
                    )
            return tree
        self._keep_modules_safe(tree, plans, ctx)
        for plan in plans.values():
            targets = [t for t in (plan.modules, plan.build) if t]
            for note in plan.notes:
                ctx.report(plan.ins, "a Go cache is not mounted", fixed=False, reason=note)
            if not targets:
                continue
            # Right after the keyword or the last existing flag, on that flag's line.
            start, _ = edits.arguments_span(plan.ins)
            logical = plan.ins.logical
            while start > 0 and logical[start - 1] in " \t":
                start -= 1
            text = "".join(f" --mount=type=cache,target={t}" for t in targets)
            ctx.touch(plan.ins)
            ctx.report(
                plan.ins,
                "Go caches are not mounted; added cache mounts at " + ", ".join(targets),
                fixed=True,
            )
            tree = tree.replace(plan.ins, edits.insert(plan.ins, start, text))
        return tree

    # -- analysis ---------------------------------------------------------------------
    def _plan(self, tree: cst.Dockerfile, ctx: RuleContext) -> dict[int, _Plan]:
        plans: dict[int, _Plan] = {}
        for stage in tree.stages:
            stages_chain = stagegraph.chain(tree, stage)
            image = gofacts.stage_image(tree, stages_chain[-1])
            if not gofacts.is_go_image(image):
                continue
            windows = gofacts.is_windows_image(image)
            runs = gorun.go_runs(tree, stage)
            for ins in stage.instructions:
                if ins.name != "RUN" or ins.is_exec_form:
                    continue
                mine = [r for r in runs if r.instruction is ins]
                scripts = [s for s, _ in gofacts.run_scripts(ins)]
                plan = _Plan(ins, stage, opaque=any(_runs_opaque_builder(s) for s in scripts))
                subs = {r.command.subcommand for r in mine}
                compiles = bool(subs & _COMPILE)
                plan.needs_modules = bool(subs & _MODULES) or plan.opaque
                plans[id(ins)] = plan
                if not (compiles or subs & _MODULES) or ctx.suppressed(ins):
                    continue
                if windows:
                    ctx.report(
                        ins,
                        "Go caches are not mounted",
                        fixed=False,
                        reason="cache mounts are not available for Windows containers",
                    )
                    continue
                why = self._stage_blocker(tree, stages_chain, ins, mine)
                if why is not None:
                    ctx.report(ins, "Go caches are not mounted", fixed=False, reason=why)
                    continue
                env = stagegraph.chain_env(tree, stages_chain, ins)
                env.update(_go_env_writes(stages_chain, ins))
                gocache, gomodcache = _cache_dirs(env)
                if gocache is None or gomodcache is None:
                    ctx.report(
                        ins,
                        "Go caches are not mounted",
                        fixed=False,
                        reason="GOCACHE, GOMODCACHE or GOPATH is set to a value not known "
                        "here; add the cache mounts for their directories by hand",
                    )
                    continue
                existing = _mount_targets(ins)
                filled = _copied_into(tree, stages_chain, ins)
                hidden: list[str] = []
                for target in (gocache, gomodcache):
                    hit = [d for d, from_stage in filled if _fills(d, from_stage, target)]
                    if hit:
                        hidden.append(target)
                        plan.notes.append(
                            f"an earlier COPY fills {hit[0]}, which a cache mount at {target} "
                            "would hide; that cache is left unmounted"
                        )
                gocache = None if gocache in hidden else gocache
                gomodcache = None if gomodcache in hidden else gomodcache
                version = gorun.go_version(image) or (99, 0)
                if (
                    compiles
                    and gocache is not None
                    and version >= _FIRST_GO_WITH_BUILD_CACHE
                    and not any(_covers(t, gocache) for t in existing)
                ):
                    plan.build = gocache
                if (
                    subs & _MODULES
                    and gomodcache is not None
                    and version >= _FIRST_GO_WITH_MODULES
                    and not any(_covers(t, gomodcache) for t in existing)
                ):
                    plan.modules = gomodcache
        return plans

    @staticmethod
    def _stage_blocker(
        tree: cst.Dockerfile,
        stages_chain: list[cst.Stage],
        ins: cst.Instruction,
        runs: list[gorun.GoRun],
    ) -> str | None:
        users = [
            i
            for st in reversed(stages_chain)
            for i in _before(st, ins)
            if i.name == "USER" and i.args
        ]
        if users:
            user = users[-1].args[0].split(":", 1)[0]
            if user not in ("root", "0"):
                return (
                    f"the stage runs as USER {users[-1].args[0]} and cache mounts are owned "
                    "by root; add the mounts with uid=/gid= for that user by hand"
                )
        for run in runs:
            set_inline = [k for k in _CACHE_ENV if k in run.command.env]
            exported = gocmd.exported_env(run.script[: run.command.start])
            set_inline += [k for k in _CACHE_ENV if k in exported]
            if set_inline:
                return (
                    f"the command sets {', '.join(dict.fromkeys(set_inline))} itself; add "
                    "cache mounts for those directories by hand"
                )
        return None

    @staticmethod
    def _keep_modules_safe(tree: cst.Dockerfile, plans: dict[int, _Plan], ctx: RuleContext) -> None:
        """Drop module-cache mounts whose modules a later step may need in the layer."""
        final = tree.stages[-1] if tree.stages else None
        starts = _starts_go_tool(final) if final is not None else None
        if final is not None and starts is not None:
            image_stages = {s.index for s in stagegraph.chain(tree, final)}
            for plan in plans.values():
                if plan.stage.index in image_stages and (plan.modules or plan.build):
                    plan.modules = plan.build = None
                    plan.notes.append(
                        f"the container runs {starts} when it starts, which needs the modules "
                        "and the build cache in the image: no cache mounts for this stage"
                    )
        by_stage: dict[int, list[_Plan]] = {}
        for plan in plans.values():
            by_stage.setdefault(plan.stage.index, []).append(plan)
        for stage in tree.stages:
            family = [stage, *stagegraph.descendants(tree, stage)]
            family_idx = {s.index for s in family}
            own = by_stage.get(stage.index, [])
            if not any(p.modules for p in own):
                continue
            modules = next(p.modules for p in own if p.modules)
            assert modules is not None
            copied = [
                i
                for later in tree.stages
                for i in later.instructions
                if (ref := stagegraph.copy_from_ref(i)) is not None
                and (src := stagegraph.referenced_stage(tree, ref, later.index)) is not None
                and src.index in family_idx
                and any(_overlaps(posixpath.normpath(a), modules) for a in i.args[:-1])
            ]
            if copied:
                for plan in own:
                    if plan.modules:
                        plan.modules = None
                        plan.notes.append(
                            "a later COPY --from copies the module cache, which a cache "
                            "mount would leave empty"
                        )
        changed = True
        while changed:
            changed = False
            for plan in plans.values():
                if not plan.modules:
                    continue
                for later in _later_runs(tree, plan, plans):
                    mounted = later.modules is not None or any(
                        _covers(t, plan.modules) for t in _mount_targets(later.ins)
                    )
                    if later.needs_modules and not mounted:
                        what = "a build tool or script" if later.opaque else "a go command"
                        written = ctx.as_written(later.ins)
                        line = " ".join((written.shell_text or written.logical).split())
                        shown = line if len(line) <= 60 else line[:59] + "…"
                        plan.notes.append(
                            f"a later RUN (`{shown}`) runs {what} that may need the "
                            "downloaded modules without the cache mount; mount the module "
                            "cache there too, by hand"
                        )
                        plan.modules = None
                        changed = True
                        break


def _before(stage: cst.Stage, ins: cst.Instruction) -> list[cst.Instruction]:
    out: list[cst.Instruction] = []
    for i in stage.instructions:
        if i is ins:
            break
        out.append(i)
    return out


def _later_runs(tree: cst.Dockerfile, plan: _Plan, plans: dict[int, _Plan]) -> list[_Plan]:
    out: list[_Plan] = []
    seen = False
    for i in plan.stage.instructions:
        if i is plan.ins:
            seen = True
            continue
        if seen and id(i) in plans:
            out.append(plans[id(i)])
    for stage in stagegraph.descendants(tree, plan.stage):
        out.extend(plans[id(i)] for i in stage.instructions if id(i) in plans)
    return out


def _copied_into(
    tree: cst.Dockerfile, stages_chain: list[cst.Stage], upto: cst.Instruction
) -> list[tuple[str, bool]]:
    """``(absolute destination, has --from)`` of the chain's COPY/ADD steps before ``upto``."""
    out: list[tuple[str, bool]] = []
    for stage in reversed(stages_chain):
        for ins in stage.instructions:
            if ins is upto:
                return out
            if ins.name not in ("COPY", "ADD") or len(ins.args) < 2:
                continue
            dest = gofacts.resolve(gofacts.workdir_at(tree, stage, ins), ins.args[-1])
            if dest is not None and "$" not in dest:
                out.append((posixpath.normpath(dest), ins.flag("from") is not None))
    return out


def _fills(dest: str, from_stage: bool, target: str) -> bool:
    """Could a COPY to ``dest`` have put files under the cache directory ``target``?"""
    # A COPY --from of a whole image into / brings tools (tonistiigi/xx), not Go caches.
    return _covers(target, dest) or (from_stage and dest != "/" and _covers(dest, target))


def _go_env_writes(stages_chain: list[cst.Stage], upto: cst.Instruction) -> dict[str, str]:
    """Cache variables that earlier ``go env -w K=V`` steps of the chain wrote."""
    out: dict[str, str] = {}
    for stage in reversed(stages_chain):
        for ins in stage.instructions:
            if ins is upto:
                return out
            for script, _ in gofacts.run_scripts(ins):
                for command in gocmd.find_go_commands(script):
                    if command.subcommand != "env" or command.flag("w") is None:
                        continue
                    for word in command.packages:
                        key, eq, value = word.partition("=")
                        if eq and key in _CACHE_ENV:
                            out[key] = value
    return out


def _cache_dirs(env: dict[str, str]) -> tuple[str | None, str | None]:
    """(GOCACHE, GOMODCACHE) for a golang image stage with ``env``; None when unknowable."""

    def literal(name: str) -> str | None:
        value = env.get(name, "").strip("'\"")
        return value if value.startswith("/") and "$" not in value else None

    if "GOCACHE" in env:
        gocache = literal("GOCACHE")
    elif "XDG_CACHE_HOME" in env:
        base = literal("XDG_CACHE_HOME")
        gocache = posixpath.join(base, "go-build") if base else None
    elif "HOME" in env:
        home = literal("HOME")
        gocache = posixpath.join(home, ".cache", "go-build") if home else None
    else:
        gocache = "/root/.cache/go-build"
    if "GOMODCACHE" in env:
        gomodcache = literal("GOMODCACHE")
    elif "GOPATH" in env:
        first = env["GOPATH"].strip("'\"").split(":", 1)[0]
        gomodcache = (
            posixpath.join(first, "pkg", "mod")
            if first.startswith("/") and "$" not in first
            else None
        )
    else:
        gomodcache = "/go/pkg/mod"
    return (
        posixpath.normpath(gocache) if gocache else None,
        posixpath.normpath(gomodcache) if gomodcache else None,
    )
