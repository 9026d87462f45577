"""DFX002 go-mod-copied-with-source."""

from __future__ import annotations

import fnmatch
import functools
import os
import posixpath
import re
import weakref

from dockerfix import cst
from dockerfix.facts import buildsteps, gocmd, gofacts
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid
from dockerfix.fixer.style import exec_form, new_instruction

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.facts.context import BuildContext

MESSAGE = "the source is copied before go.mod/go.sum"
_FIX = (
    "any source change invalidates the module download layer; copy {files} and run "
    "`go mod download` first"
)
# Flags of the source COPY that the go.mod COPY must share (never --from, --exclude ...).
_SHARED_COPY_FLAGS = ("chown", "chmod", "link")
# ``go mod download`` flags that do not change what is downloaded.
_HARMLESS_DOWNLOAD_FLAGS = frozenset({"x", "modcacherw"})
_MOVABLE_MOUNTS = frozenset({"cache", "secret", "ssh"})
# Settings that change where and how modules are downloaded: a download moved above them
# would not see them.
_MODULE_ENV = frozenset(
    {
        "GOPROXY", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GONOSUMCHECK", "GOSUMDB",
        "GOINSECURE", "GOFLAGS", "GO111MODULE", "GOTOOLCHAIN", "GOMODCACHE", "GOPATH",
        "GOWORK", "GOAUTH", "GOVCS", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
    }
)  # fmt: skip
# RUN flags of the build that the new download needs too (credentials, network access).
_MIRRORED_MOUNTS = frozenset({"secret", "ssh"})


@functools.cache
def _safe_shell_path_re() -> re.Pattern[str]:
    """A path safe unquoted in a shell command, variables allowed (compiled on first use)."""
    return re.compile(r"[A-Za-z0-9_./${}:@%+=,-]+")


@functools.cache
def _module_setup_re() -> re.Pattern[str]:
    """A command that sets up module downloads (git config, .netrc, ``go env -w``)."""
    return re.compile(r"\bgit\s+config\b|\.netrc\b|\.gitconfig\b|\bgo\s+env\s+-w\b")


def _unquote(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        return word[1:-1]
    return word


def _copy_paths(ins: cst.Instruction) -> tuple[list[str], str] | None:
    """Sources and destination of a COPY/ADD, or None."""
    args = [a for a in ins.args]
    if ins.name not in ("COPY", "ADD") or len(args) < 2 or ins.heredoc_bodies:
        return None
    return [_unquote(a) for a in args[:-1]], args[-1]


def _flag_value(cmd: gocmd.GoCommand, name: str) -> str | None:
    flag = cmd.flag(name)
    return flag.value if flag is not None else None


def _source_copy(ins: cst.Instruction, context: BuildContext | None) -> str | None:
    """The context folder a source COPY copies, or None when ``ins`` is not one.

    ``COPY . <dest>`` (or ``./``, ``/``; ``ADD`` too) copies the whole build context
    (``.``); with the context known, ``COPY backend/ <dest>`` copies the module in
    ``backend`` when ``backend/go.mod`` is there.
    """
    paths = _copy_paths(ins)
    if paths is None or ins.flag("from") is not None:
        return None
    sources, _ = paths
    if len(sources) != 1:
        return None
    source = posixpath.normpath(sources[0].lstrip("/") or ".")
    if source == ".":
        return source
    if context is None or not _safe_shell_path_re().fullmatch(source) or "$" in source:
        return None
    if source.startswith("..") or not context.exists(posixpath.join(source, "go.mod")):
        return None
    return source


def _module_dir(
    context: BuildContext, source: str, dest: str | None, build_dir: str | None
) -> str | None:
    """The context folder of the module a build in ``build_dir`` uses, copied from ``source``.

    ``source`` lands at ``dest`` in the image; the module is the nearest folder at or above
    the build's folder, inside ``source``, holding a go.mod. None when it is not found.
    """
    if dest is None or build_dir is None:
        return None
    rel = posixpath.relpath(build_dir, dest)
    if rel == ".." or rel.startswith("../"):
        return None
    parts = [] if rel == "." else rel.split("/")
    modules = {m.directory for m in context.go_mods}
    for n in range(len(parts), -1, -1):
        folder = posixpath.normpath(posixpath.join(source, *parts[:n]))
        if folder in modules:
            return folder
    return None


def _mount_type(value: str | None) -> str:
    for part in (value or "").split(","):
        key, _, val = part.partition("=")
        if key.strip() == "type":
            return val.strip()
    return "bind"


def _stage_downloads(tree: cst.Dockerfile, name: str) -> bool:
    """True when the stage called ``name`` (or one it is built on) downloads modules."""
    for stage in tree.stages:
        if stage.name and stage.name.lower() == name.lower():
            for st in [stage, *buildsteps.ancestors(tree, stage)]:
                if any(buildsteps.downloads_modules(s.command) for s in buildsteps.go_steps(st)):
                    return True
    return False


def _prepares_modules(tree: cst.Dockerfile, stage: cst.Stage, ins: cst.Instruction) -> bool:
    """True when ``ins`` already brings go.mod or the module cache in ahead of the source."""
    if ins.name in ("COPY", "ADD"):
        paths = _copy_paths(ins)
        if paths is None:
            return False
        sources, _ = paths
        source_from = ins.flag("from")
        if source_from is None:
            return any(
                fnmatch.fnmatchcase("go.mod", posixpath.basename(s.rstrip("/"))) for s in sources
            )
        return any("pkg/mod" in s for s in sources) or _stage_downloads(tree, source_from)
    if ins.name == "RUN":
        one = cst.Stage(stage.index, stage.from_, (ins,))
        return any(
            buildsteps.downloads_modules(s.command)
            or s.command.subcommand in ("mod vendor", "mod tidy")
            for s in buildsteps.go_steps(one)
        )
    return False


def _removable_download(
    stage: cst.Stage, after: cst.Instruction, ctx: RuleContext
) -> cst.Instruction | None:
    """A ``RUN go mod download`` after ``after`` and before the first compile, alone in its RUN."""
    instructions = stage.instructions
    start = next(i for i, n in enumerate(instructions) if n is after) + 1
    for ins in instructions[start:]:
        steps = buildsteps.go_steps(cst.Stage(stage.index, stage.from_, (ins,)))
        if any(buildsteps.compiles(s.command) for s in steps):
            return None
        if len(steps) != 1 or not buildsteps.downloads_modules(steps[0].command):
            continue
        step = steps[0]
        cmd = step.command
        if (
            not step.editable
            or ins.heredoc_bodies
            or step.script.strip() != cmd.raw.strip()
            or cmd.packages
            or cmd.dynamic_args
            or any(f.name not in _HARMLESS_DOWNLOAD_FLAGS for f in cmd.flags)
            or ctx.suppressed(ins)
        ):
            return None
        for flag in ins.flags:
            if flag.name == "network":
                continue
            if flag.name != "mount" or _mount_type(flag.value) not in _MOVABLE_MOUNTS:
                return None
        return ins
    return None


def _short(ins: cst.Instruction) -> str:
    text = " ".join(ins.logical.split())
    return text if len(text) <= 48 else text[:47] + "…"


def _module_setup(ins: cst.Instruction, *, moved: bool = False) -> str | None:
    """How ``ins`` configures module downloads, or None.

    ``ENV``/``ARG`` of a module setting (``GOPROXY``, ``GOPRIVATE`` ...); a ``RUN`` that
    writes git or netrc credentials, runs ``go env -w`` or exports a module setting. For a
    ``RUN`` whose go commands are being moved (``moved``) only the configuration done
    before its commands in other RUNs matters, so inline settings are ignored.
    """
    if ins.name == "ENV":
        names = set(ins.args[0::3])
    elif ins.name == "ARG":
        names = {w.partition("=")[0] for w in ins.args}
    elif ins.name == "RUN":
        scripts = [ins.shell_text or "", *(b.content for b in ins.heredoc_bodies)]
        # every match holds "config" (git config, .gitconfig), ".netrc" or "env" (go env -w)
        if any(
            ("config" in t or ".netrc" in t or "env" in t) and _module_setup_re().search(t)
            for t in scripts
        ):
            return f"`{_short(ins)}`"
        if moved:
            return None
        names = set()
        for step in buildsteps.go_steps(cst.Stage(0, ins, (ins,))):
            names |= set(step.command.env) | set(gocmd.exported_env(step.script))
    else:
        return None
    found = sorted(names & _MODULE_ENV)
    return f"`{_short(ins)}` ({', '.join(found)})" if found else None


def _build_flags(ins: cst.Instruction) -> list[str]:
    """The build RUN's secret/ssh mounts and network mode, which a download needs as well."""
    return [
        raw
        for raw, flag in zip(ins.parsed.flags, ins.flags, strict=True)
        if (flag.name == "mount" and _mount_type(flag.value) in _MIRRORED_MOUNTS)
        or flag.name == "network"
    ]


def _cache_mounts(tree: cst.Dockerfile) -> list[str]:
    """The cache ``--mount`` flags of the file's first ``RUN ... go mod download`` having any."""
    for stage in tree.stages:
        mounts = _stage_cache_mounts(stage)
        if mounts:
            return list(mounts)
    return []


#: ``FROM`` -> (the stage's instructions, its answer): an edit to another stage leaves the
#: stage's ``FROM`` and instructions tuple as they were (see ``cst.Dockerfile._edit``).
_STAGE_MOUNTS: weakref.WeakKeyDictionary[
    cst.Instruction, tuple[tuple[cst.Instruction, ...], tuple[str, ...]]
] = weakref.WeakKeyDictionary()


def _stage_cache_mounts(stage: cst.Stage) -> tuple[str, ...]:
    """The cache mounts of the stage's first ``go mod download`` RUN having any."""
    known = _STAGE_MOUNTS.get(stage.from_)
    if known is not None and known[0] is stage.instructions:
        return known[1]
    found: tuple[str, ...] = ()
    for step in buildsteps.go_steps(stage):
        if not buildsteps.downloads_modules(step.command):
            continue
        ins = step.instruction
        found = tuple(
            raw
            for raw, flag in zip(ins.parsed.flags, ins.flags, strict=True)
            if flag.name == "mount" and _mount_type(flag.value) == "cache"
        )
        if found:
            break
    _STAGE_MOUNTS[stage.from_] = (stage.instructions, found)
    return found


def _workdir(
    tree: cst.Dockerfile, stage: cst.Stage, upto: cst.Instruction
) -> tuple[str | None, str | None]:
    """The working directory before ``upto`` (resolved or None) and its last WORKDIR as written."""
    lineage = [stage, *buildsteps.ancestors(tree, stage)]
    root = lineage[-1]
    image = gofacts.stage_image(tree, root)
    current: str | None = "/go" if gofacts.is_go_image(image) else None
    written: str | None = None
    env: dict[str, str] = {"GOPATH": "/go"} if gofacts.is_go_image(image) else {}
    for st in reversed(lineage):
        for ins in st.instructions:
            if ins is upto:
                break
            if ins.name == "ENV":
                env.update(gofacts.stage_env(cst.Stage(st.index, st.from_, (ins,))))
            if ins.name != "WORKDIR" or not ins.args:
                continue
            written = ins.args[0]
            raw = gofacts.expand(written, {**env, **gofacts.stage_facts(tree, st).declared(ins)})
            current = gofacts.resolve(current, _unquote(raw)) if raw is not None else None
    return current, written


def _build_dir(tree: cst.Dockerfile, stage: cst.Stage, step: buildsteps.GoStep) -> str | None:
    """The folder the step's go command runs in (its RUN's WORKDIR and ``-C``), if known."""
    for build in gofacts.go_builds(tree, stage=stage):
        if build.instruction is step.instruction and build.command.raw == step.command.raw:
            return build.workdir
    return gofacts.stage_facts(tree, stage).workdir(step.instruction)


def _folders_between(top: str, folder: str) -> list[str]:
    """``top``, ``folder`` and the folders between them (``folder`` inside ``top``)."""
    out = [folder]
    while folder != top and folder not in (".", ""):
        folder = posixpath.dirname(folder) or "."
        out.append(folder)
    return out


def _download_needs_cd(
    tree: cst.Dockerfile, stage: cst.Stage, copy: cst.Instruction, dest: str
) -> bool:
    """False when the source COPY's destination is the working directory itself."""
    plain = _unquote(dest)
    if posixpath.normpath(plain) == ".":
        return False
    current, written = _workdir(tree, stage, copy)
    if written is not None and _unquote(written).rstrip("/") == plain.rstrip("/"):
        return False
    env = {"GOPATH": "/go", **buildsteps.lineage_env(tree, stage, copy)}
    expanded = gofacts.expand(plain, env)
    if current is None or expanded is None:
        return True
    return gofacts.resolve(current, expanded) != current


class GoModCopiedWithSource(Rule):
    """Copies the whole source before downloading the Go modules, defeating the layer cache.

    ## What it does
    In a stage that runs ``go build``, ``go install`` or ``go mod download``
    after its first copy of the whole build context (``COPY . <dest>``,
    ``COPY ./ <dest>``, ``ADD . <dest>``), inserts right before that copy
    ``COPY go.mod go.sum <dest>/`` and ``RUN go mod download``, with the copy's
    ``--chown``/``--chmod``/``--link`` flags. A ``RUN go mod download`` between
    the source copy and the build, alone in its ``RUN``, is moved up instead of
    duplicated (with its cache mounts, ``-x``, inline settings and comment);
    otherwise the new ``RUN`` mirrors the cache mounts of the file's other
    ``go mod download``, if it has one, and the build's secret/ssh mounts and
    ``--network`` (private modules need the same credentials). When the
    destination is not the working directory the download runs there:
    ``RUN cd <dest> && go mod download``. When the module lives in a folder of
    the build context (a monorepo's ``backend/``), the paths are the context's:
    ``COPY backend/ .`` gets ``COPY backend/go.mod backend/go.sum ./``, and
    ``COPY . .`` with the build run in ``backend`` (``WORKDIR``, ``go build -C``)
    gets ``COPY backend/go.mod backend/go.sum backend/`` and
    ``RUN cd backend && go mod download``. When the build context is
    known and has no ``go.sum``, only ``go.mod`` is copied; when it is unknown,
    ``go.sum*`` is copied (a module without dependencies has no ``go.sum``, and the glob
    copies nothing then), and the message says so.

    ## Why is this bad?
    Docker reuses a layer only while everything it depends on is unchanged.
    After ``COPY . .`` any edit to any file invalidates the cache, so every
    build downloads all modules again. Copied first, ``go.mod``/``go.sum`` keep
    the download layer cached until the dependencies themselves change.

    ## Fix safety
    Not applied when something already brings the modules in ahead of the
    source (a ``COPY`` of ``go.mod``/``go.*``, a ``go mod download`` in this
    stage or a stage it is built on, or the module cache from another stage),
    and nothing is reported for vendored builds (``vendor/modules.txt`` in the
    context, or ``-mod=vendor``: the modules come from the source, there is
    nothing to download, and ``go mod download`` would fail offline).
    Reported and not applied when no ``go.mod`` of the known build context is where
    the build runs (a ``cd`` in the build's ``RUN`` is not followed), when
    ``go.mod`` replaces modules with local directories (``go mod download`` would
    need them before the source is copied), for GOPATH builds (``GO111MODULE=off``), when the
    download is configured after the source copy (an ``ENV``/``ARG`` of ``GOPROXY``,
    ``GOPRIVATE``, ``GOFLAGS`` ..., ``git config``/``.netrc`` credentials, ``go env
    -w``, or such a setting inline on the build command: a download above the copy
    would run without it), and when the destination cannot be used in a shell
    ``cd``. A ``go mod download`` that other commands share a ``RUN`` with is left
    where it is (it becomes a no-op).

    A ``go.work`` at the root of the copied source is a workspace: its modules are part
    of the build, so ``go.work``, ``go.work.sum`` and every used module's
    ``go.mod``/``go.sum`` are copied first, each to its folder. Reported and not applied
    when a used module is outside the context or has no ``go.mod``, when the build's
    module is not used, when a used module requires another one by version (``go mod
    download`` in workspace mode fetches that version from the network instead of taking
    the workspace's: it fails for an unpublished one), or when a module or the workspace
    replaces one with a local directory. A ``go.work`` deeper in the copy is not followed.

    ## Example
    ```dockerfile
    FROM golang:1.23
    WORKDIR /src
    COPY . .
    RUN go build -o /app .
    ```
    becomes
    ```dockerfile
    FROM golang:1.23
    WORKDIR /src
    COPY go.mod go.sum ./
    RUN go mod download
    COPY . .
    RUN go build -o /app .
    ```
    """

    code = "DFX002"
    name = "go-mod-copied-with-source"
    summary = "Source copied before go.mod/go.sum; download the modules first"

    VALID = (
        Valid(
            "FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
            "COPY . .\nRUN go build -o /app .\n"
        ),
        Valid("FROM golang:1.23\nWORKDIR /src\nCOPY *.go ./\nRUN go build -o /app .\n"),
        Valid("FROM node:22\nCOPY . .\nRUN npm ci\n"),  # not Go
        Valid("FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -mod=vendor -o /app .\n"),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
            expected=(
                "FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum* ./\nRUN go mod download\n"
                "COPY . .\nRUN go build -o /app .\n"
            ),
        ),
        Invalid(
            "FROM golang:1.23\nWORKDIR /src\nCOPY --chown=app --link . .\n"
            "RUN go mod download -x\nRUN go build -o /app .\n",
            expected=(
                "FROM golang:1.23\nWORKDIR /src\nCOPY --chown=app --link go.mod go.sum* ./\n"
                "RUN go mod download -x\nCOPY --chown=app --link . .\n"
                "RUN go build -o /app .\n"
            ),
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Put the go.mod copy and the module download before each stage's source copy."""
        if not gofacts.builds_go(tree):
            return tree
        for index in range(len(tree.stages)):
            tree = self._fix_stage(tree, tree.stages[index], ctx)
        return tree

    def _fix_stage(
        self, tree: cst.Dockerfile, stage: cst.Stage, ctx: RuleContext
    ) -> cst.Dockerfile:
        steps = buildsteps.go_steps(stage)
        relevant = [
            s
            for s in steps
            if buildsteps.compiles(s.command) or buildsteps.downloads_modules(s.command)
        ]
        if not relevant:
            return tree
        instructions = stage.instructions
        first_use = next(i for i, n in enumerate(instructions) if n is relevant[0].instruction)
        context = ctx.build_context
        copy_at = next(
            (i for i, n in enumerate(instructions) if _source_copy(n, context) is not None), None
        )
        if copy_at is None or copy_at > first_use:
            return tree
        copy = instructions[copy_at]
        if ctx.suppressed(copy) or ctx.suppressed(stage.from_):
            return tree
        for earlier in instructions[:copy_at]:
            if _prepares_modules(tree, stage, earlier):
                return tree
        for anc in buildsteps.ancestors(tree, stage):
            for earlier in anc.instructions:
                if _prepares_modules(tree, anc, earlier) or _source_copy(earlier, context):
                    return tree

        def decline(reason: str) -> cst.Dockerfile:
            ctx.report(copy, MESSAGE, fixed=False, reason=reason)
            return tree

        env = buildsteps.lineage_env(tree, stage)
        for step in steps:
            env.update(step.command.env)
            env.update(gocmd.exported_env(step.script))
        source = _source_copy(copy, context)
        assert source is not None
        paths = _copy_paths(copy)
        assert paths is not None
        dest = paths[1]
        plain_dest = _unquote(dest)
        # the module's folder in the context ("." for its root), and where it lands
        module_dir = "."
        if context is not None:
            workdir = gofacts.stage_facts(tree, stage).workdir(copy)
            expanded = gofacts.expand(plain_dest, {"GOPATH": "/go", **env})
            dest_abs = gofacts.resolve(workdir, expanded) if expanded is not None else None
            found = _module_dir(context, source, dest_abs, _build_dir(tree, stage, relevant[0]))
            if found is None and source == "." and (context.go_mod or context.go_work_uses):
                # where the build runs is unknown: the context's own module; or the build
                # runs in the workspace of the context's go.work
                found = "."
            if found is None:
                shown = [m.path for m in context.go_mods][:3]
                where = f" (found: {', '.join(shown)})" if shown else ""
                return decline(
                    f"no go.mod of the build context is where the build runs{where}; if the "
                    "build context is elsewhere, copy the module's go.mod/go.sum and run "
                    "`go mod download` before the source by hand"
                )
            module_dir = found
        vendored = [
            s.command.raw
            for s in steps
            if _flag_value(s.command, "mod") == "vendor"
            or "-mod=vendor" in s.command.env.get("GOFLAGS", "")
        ]
        if "-mod=vendor" in env.get("GOFLAGS", ""):
            vendored.append("GOFLAGS=-mod=vendor")
        if context is not None and (
            context.has_vendor
            if module_dir == "."
            else posixpath.join(module_dir, "vendor") in context.vendor_dirs
        ):
            vendored.append("vendor/modules.txt in the build context")
        if vendored:
            # the modules come from vendor/ in the source: nothing to download, and copying
            # go.mod first would cache nothing; not a finding
            return tree
        if env.get("GO111MODULE", "").strip("'\"") == "off":
            return decline(
                "GO111MODULE=off: a GOPATH build does not use go.mod, so there are no modules "
                "to download ahead of the source"
            )
        notes: list[str] = []
        #: a go.work at the copy's root: (folder, files) to copy first, the folder's own
        #: go.mod/go.sum and each module's the workspace uses
        workspace: list[tuple[str, list[str]]] = []
        with_sum = True
        sum_source = "go.sum"
        if context is None:
            # a module without dependencies has no go.sum: the glob copies it only if it is
            # there (BuildKit, buildah and podman accept a glob that matches nothing beside
            # a source that exists)
            sum_source = "go.sum*"
            notes.append(
                "the build context is unknown: go.mod is assumed next to the Dockerfile, "
                "and go.sum* copies go.sum where there is one"
            )
        else:
            others = [u for u in context.go_work_uses if u != "."]
            if module_dir != "." and any(
                context.exists(posixpath.join(d, "go.work"))
                for d in _folders_between(source, module_dir)
            ):
                return decline(
                    f"a go.work in {source} may use other modules, which `go mod download` "
                    "before the source would not see; copy go.work, go.work.sum and each "
                    "module's go.mod/go.sum first, by hand"
                )
            if source == "." and others:
                blocker = _workspace_blocker(context, module_dir)
                if blocker is not None:
                    return decline(blocker)
                workspace = _workspace_files(context)
            module = next((m for m in context.go_mods if m.directory == module_dir), None)
            if module is None and not workspace:
                return decline(
                    f"no go.mod in {module_dir} of the build context, where the build runs; "
                    "copy the module's go.mod/go.sum and run `go mod download` first by hand"
                )
            local = [r for r in module.replaces if r.is_local] if module and not workspace else []
            if local:
                return decline(
                    f"go.mod replaces {local[0].old_path} with the local directory "
                    f"{local[0].new_path}, which `go mod download` needs before the source is "
                    "copied; copy the replaced modules' go.mod files too, by hand"
                )
            if not workspace and not context.exists(posixpath.join(module_dir, "go.sum")):
                with_sum = False
                notes.append("there is no go.sum in the build context: copying go.mod only")
        copy_root = plain_dest
        below = posixpath.relpath(module_dir, source)  # the module's folder in the copy
        if below != ".":
            plain_dest = posixpath.normpath(posixpath.join(plain_dest, below))
            dest = plain_dest
        mod_dest = _folder_dest(plain_dest)
        moved = _removable_download(stage, copy, ctx)
        first_run = relevant[0].instruction
        for ins in instructions[copy_at + 1 : first_use + 1]:
            setup = _module_setup(ins, moved=ins is moved)
            if setup is not None:
                return decline(
                    f"{setup} configures the module download after the source copy, and a "
                    "download moved above the copy would not see it; move that setting above "
                    "the source copy first (then dockerfix can reorder the rest)"
                )
        needs_cd = _download_needs_cd(tree, stage, copy, dest)
        if needs_cd:
            lineage = [stage, *buildsteps.ancestors(tree, stage)]
            if any(gofacts.is_windows_image(gofacts.stage_image(tree, s)) for s in lineage):
                return decline(
                    "the source goes to a directory other than WORKDIR on a Windows image; "
                    "copy go.mod/go.sum there and download the modules by hand"
                )
            if not _safe_shell_path_re().fullmatch(plain_dest) or any(
                i.name == "SHELL" for s in lineage for i in s.instructions
            ):
                return decline(
                    f"the source goes to {dest}, not the working directory, and dockerfix "
                    "cannot write a safe `cd` there; copy go.mod/go.sum and download by hand"
                )

        # -- the new COPY -------------------------------------------------------------
        flags = [
            raw
            for raw, flag in zip(copy.parsed.flags, copy.flags, strict=True)
            if flag.name in _SHARED_COPY_FLAGS
        ]
        sources = ["go.mod", sum_source] if with_sum else ["go.mod"]
        if module_dir != ".":
            sources = [posixpath.join(module_dir, f) for f in sources]
        indent = copy.indent
        plan = [(sources, mod_dest)]
        if workspace:
            plan = [
                (files, _folder_dest(posixpath.normpath(posixpath.join(copy_root, folder))))
                for folder, files in workspace
            ]
            sources = [f for files, _ in plan for f in files]
        new_copies: list[cst.BodyNode] = []
        for files, to in plan:
            if copy.is_exec_form or re.search(r"[\s'\"]", to):
                spec = exec_form([*files, to])
            else:
                spec = " ".join([*files, to])
            new_copies.append(
                new_instruction(tree, " ".join(["COPY", *flags, spec]), indent=indent)
            )

        # -- the download -----------------------------------------------------------------
        moved_comments: list[cst.Comment] = []
        removed: list[cst.BodyNode] = []
        if moved is not None:
            moved_comments = buildsteps.leading_comments(tree, moved)
            removed = [*moved_comments, moved]
            # the moved RUN may have been the file's last line, without a newline
            download = moved.with_changes(newline=moved.newline or tree.newline)
            assert isinstance(download, cst.Instruction)
            span = moved.shell_text_span
            if needs_cd and span is not None:
                download = download.replace_span(span[0], span[0], f"cd {plain_dest} && ")
        else:
            script = "go mod download"
            if needs_cd:
                script = f"cd {plain_dest} && {script}"
            run_flags = [*_cache_mounts(tree), *_build_flags(first_run)]
            download = new_instruction(
                tree, " ".join(["RUN", *dict.fromkeys(run_flags), script]), indent=indent
            )

        # -- edit -----------------------------------------------------------------------
        body = tree.body
        spaced = False  # the moved download stood between blank lines: keep it a paragraph
        if removed:
            first = next(i for i, n in enumerate(body) if n is removed[0])
            after = first + len(removed)
            if (
                first > 0
                and isinstance(body[first - 1], cst.BlankLine)
                and after < len(body)
                and isinstance(body[after], cst.BlankLine)
            ):
                removed.append(body[after])
                spaced = True
            for node in removed:
                tree = tree.remove(node)
            ctx.touch(*removed)
        inserted: list[cst.BodyNode] = list(new_copies)
        inserted += [cst.Comment(c.text, c.newline) for c in moved_comments]
        inserted.append(download)
        above = buildsteps.leading_comments(tree, copy)
        anchor: cst.BodyNode = above[0] if above else copy
        at = next(i for i, n in enumerate(tree.body) if n is anchor)
        blank = tree.body[at - 1] if at > 0 else None
        if spaced and isinstance(blank, cst.BlankLine):
            inserted.append(cst.BlankLine(blank.text, blank.newline))
        tree = tree.insert_before(anchor, inserted)
        message = f"{MESSAGE}: " + _FIX.format(files=" and ".join(sources))
        if notes:
            message += " (" + "; ".join(notes) + ")"
        ctx.report(copy, message, fixed=True, caveats=notes)
        if moved is not None:
            ctx.report(
                moved,
                "`go mod download` after the source copy: moved before it, with go.mod/go.sum",
                fixed=True,
            )
        return tree


def _folder_dest(dest: str) -> str:
    """A COPY destination naming the folder ``dest`` (``./`` for the working directory)."""
    if posixpath.normpath(dest) == ".":
        return "./"
    return dest if dest.endswith(("/", "\\")) else dest + "/"


def _workspace_blocker(context: BuildContext, module_dir: str) -> str | None:
    """Why the modules of the context's go.work cannot be downloaded ahead of the source."""
    uses = context.go_work_uses
    mods = {m.directory: m for m in context.go_mods}
    for use in uses:
        if use == ".." or use.startswith("../") or use.startswith("/"):
            return (
                f"go.work uses {use}, outside the build context; copy the workspace's "
                "go.mod files and download the modules by hand"
            )
        if use not in mods:
            return f"go.work uses {use}, which has no go.mod in the build context"
    if module_dir != "." and module_dir not in uses:
        return (
            f"go.work does not use {module_dir}, the module the build runs in; the build "
            "would fail there, so nothing is reordered"
        )
    paths = {mods[u].module: u for u in uses if mods[u].module}
    for use in uses:
        module = mods[use]
        for req in module.requires:
            if req.path in paths:
                return (
                    f"{module.path} requires {req.path} {req.version}, which the workspace "
                    f"provides ({paths[req.path]}); `go mod download` in workspace mode would "
                    "fetch that version from the network instead, so download by hand"
                )
        local = [r for r in module.replaces if r.is_local]
        if local:
            return (
                f"{module.path} replaces {local[0].old_path} with the local directory "
                f"{local[0].new_path}, which `go mod download` needs before the source is "
                "copied; copy it by hand"
            )
    try:
        with open(os.path.join(context.directory, "go.work"), encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return "go.work could not be read"
    if re.search(r"=>\s*\.{0,2}/", text):
        return (
            "go.work replaces a module with a local directory, which `go mod download` "
            "needs before the source is copied; copy it by hand"
        )
    return None


def _workspace_files(context: BuildContext) -> list[tuple[str, list[str]]]:
    """``(folder, files)`` to copy first for a go.work at the context's root: go.work,
    go.work.sum and the root module's files, then each used module's go.mod/go.sum."""

    def module_files(folder: str) -> list[str]:
        names = ["go.mod", "go.sum"]
        return [
            posixpath.join(folder, n) if folder != "." else n
            for n in names
            if context.exists(posixpath.join(folder, n))
        ]

    root = ["go.work", *(["go.work.sum"] if context.exists("go.work.sum") else [])]
    if "." in context.go_work_uses:
        root += module_files(".")
    out = [(".", root)]
    for use in sorted(u for u in context.go_work_uses if u != "."):
        out.append((use, module_files(use)))
    return out
