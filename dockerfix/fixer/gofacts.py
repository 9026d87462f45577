"""What a Dockerfile does with Go: toolchain stages, ``go build`` commands, binaries, cgo.

The rules share these facts. Everything here reads the tree (and, through
``BuildContext``, files next to the Dockerfile); nothing runs anything.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from dockerfix import cst
from dockerfix.fixer import gocmd

# -- images ---------------------------------------------------------------------

_VAR_RE = re.compile(r"\$\{([A-Za-z_]\w*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_]\w*)")


def expand(text: str, env: dict[str, str]) -> str | None:
    """``text`` with ``$VAR``, ``${VAR}``, ``${VAR:-word}``, ``${VAR:+word}`` expanded.

    Returns None when a variable without a default is unknown.
    """
    unknown = False

    def sub(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3) or ""
        value = env.get(name)
        if op is None:
            if value is None:
                unknown = True
                return match.group(0)
            return value
        is_set = value is not None and (value != "" or not op.startswith(":"))
        if op.endswith("-"):
            return value if is_set and value is not None else word
        return word if is_set else ""

    result = _VAR_RE.sub(sub, text)
    return None if unknown else result


def global_args(tree: cst.Dockerfile) -> dict[str, str]:
    """Default values of the ``ARG``s declared before the first ``FROM``."""
    values: dict[str, str] = {}
    for ins in tree.instructions:
        if ins.name == "FROM":
            break
        if ins.name == "ARG":
            for word in ins.args:
                name, eq, value = word.partition("=")
                if eq:
                    values[name] = _unquote(value)
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def image_repository(image: str) -> str:
    """The repository part of an image reference, lower case, without tag or digest."""
    ref = image.split("@", 1)[0]
    last_slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > last_slash:
        ref = ref[:colon]
    return ref.lower()


def image_tag(image: str) -> str:
    """The tag of an image reference (``""`` when none)."""
    ref = image.split("@", 1)[0]
    last_slash = ref.rfind("/")
    colon = ref.rfind(":")
    return ref[colon + 1 :].lower() if colon > last_slash else ""


_GO_REPOS = {
    "golang",
    "docker.io/golang",
    "docker.io/library/golang",
    "library/golang",
    "index.docker.io/library/golang",
    "public.ecr.aws/docker/library/golang",
    "mirror.gcr.io/library/golang",
    "cgr.dev/chainguard/go",
    "mcr.microsoft.com/oss/go/microsoft/golang",
}


def is_go_image(image: str) -> bool:
    """True for an official Go toolchain image (any registry mirror, any tag)."""
    repo = image_repository(image)
    return repo in _GO_REPOS or repo.endswith("/library/golang")


def is_windows_image(image: str) -> bool:
    """True for Windows container images (servercore, nanoserver, windows tags)."""
    low = image.lower()
    return any(k in low for k in ("windowsservercore", "nanoserver", "windows", "ltsc20"))


def is_musl_image(image: str) -> bool:
    """True for Alpine (musl) based images."""
    return "alpine" in image.lower()


def is_static_runtime(image: str) -> bool:
    """True for runtime images without a C library (distroless static, scratch)."""
    repo = image_repository(image)
    return repo == "scratch" or "distroless/static" in repo


def stage_image(tree: cst.Dockerfile, stage: cst.Stage) -> str:
    """The stage's base image with global ARG defaults expanded (as written if unknown)."""
    image = stage.base_image
    expanded = expand(image, global_args(tree))
    return expanded if expanded is not None else image


# -- stages and paths -------------------------------------------------------------


def stage_env(stage: cst.Stage, upto: cst.Instruction | None = None) -> dict[str, str]:
    """``ENV``/``ARG`` values known in ``stage`` before ``upto`` (all if None)."""
    env: dict[str, str] = {}
    for ins in stage.instructions:
        if ins is upto:
            break
        if ins.name == "ENV":
            args = ins.args
            for i in range(0, len(args) - 2, 3):
                env[args[i]] = _unquote(args[i + 1])
        elif ins.name == "ARG":
            for word in ins.args:
                name, eq, value = word.partition("=")
                if eq:
                    env[name] = _unquote(value)
    return env


def workdir_at(tree: cst.Dockerfile, stage: cst.Stage, upto: cst.Instruction | None) -> str | None:
    """The working directory in ``stage`` just before ``upto`` (None if it cannot be known)."""
    image = stage_image(tree, stage)
    current: str | None = "/go" if is_go_image(image) else None
    if current is None and image_repository(image) in {"scratch"}:
        current = "/"
    for ins in stage.instructions:
        if ins is upto:
            break
        if ins.name != "WORKDIR" or not ins.args:
            continue
        raw = expand(ins.args[0], stage_env(stage, ins))
        if raw is None:
            current = None
            continue
        raw = _unquote(raw)
        if raw.startswith("/"):
            current = posixpath.normpath(raw)
        elif current is not None:
            current = posixpath.normpath(posixpath.join(current, raw))
    return current


def resolve(workdir: str | None, path: str) -> str | None:
    """``path`` made absolute against ``workdir``."""
    if path.startswith("/"):
        return posixpath.normpath(path)
    if workdir is None:
        return None
    return posixpath.normpath(posixpath.join(workdir, path))


@dataclass(frozen=True)
class GoBuild:
    """One ``go build``/``go install`` in a ``RUN`` of some stage."""

    stage: cst.Stage
    instruction: cst.Instruction
    command: gocmd.GoCommand
    offset: int  # where the RUN's shell text starts in the instruction's logical line
    workdir: str | None
    output: str | None  # absolute path of the binary, None if unknown


def run_scripts(ins: cst.Instruction) -> list[tuple[str, int | None]]:
    """The shell scripts a RUN executes: (text, offset in the logical line or None for heredocs)."""
    if ins.name != "RUN" or ins.is_exec_form:
        return []
    scripts: list[tuple[str, int | None]] = []
    span = ins.shell_text_span
    text = ins.shell_text or ""
    scripts.append((text, span[0] if span else None))
    for heredoc in ins.heredocs:
        scripts.append((heredoc.content, None))
    return scripts


def go_builds(
    tree: cst.Dockerfile, module_path: str | None = None, stage: cst.Stage | None = None
) -> list[GoBuild]:
    """Every ``go build``/``go install`` of the file (or of one stage), in order."""
    found: list[GoBuild] = []
    for st in (stage,) if stage is not None else tree.stages:
        for ins in st.instructions:
            for text, offset in run_scripts(ins):
                for command in gocmd.find_go_commands(text):
                    if command.subcommand not in ("build", "install"):
                        continue
                    workdir = workdir_at(tree, st, ins)
                    found.append(
                        GoBuild(
                            stage=st,
                            instruction=ins,
                            command=command,
                            offset=offset if offset is not None else -1,
                            workdir=workdir,
                            output=_output_path(tree, st, ins, command, workdir, module_path),
                        )
                    )
    return found


def _output_path(
    tree: cst.Dockerfile,
    stage: cst.Stage,
    ins: cst.Instruction,
    command: gocmd.GoCommand,
    workdir: str | None,
    module_path: str | None,
) -> str | None:
    env = stage_env(stage, ins)
    packages = list(command.packages)
    if command.subcommand == "install":
        if any("@" in p for p in packages):
            return None  # a tool from the network, not the application
        name = gocmd.default_binary_name(module_path, packages[0] if len(packages) == 1 else None)
        gobin = env.get("GOBIN") or posixpath.join(env.get("GOPATH", "/go"), "bin")
        return posixpath.join(gobin, name) if name else None
    out = command.output
    if out is not None:
        expanded = expand(out, env)
        if expanded is None:
            return None
        out = _unquote(expanded)
        if out.endswith("/"):
            name = gocmd.default_binary_name(
                module_path, packages[0] if len(packages) == 1 else None
            )
            return resolve(workdir, posixpath.join(out, name)) if name else None
        return resolve(workdir, out)
    if len(packages) > 1 and not all(p.endswith(".go") for p in packages):
        return None
    name = gocmd.default_binary_name(module_path, packages[0] if packages else None)
    return resolve(workdir, name) if name else None


def builds_go(tree: cst.Dockerfile) -> bool:
    """True when the file compiles Go: a Go toolchain stage or a ``go build``/``go install``."""
    for stage in tree.stages:
        if is_go_image(stage_image(tree, stage)):
            return True
        for ins in stage.instructions:
            for text, _ in run_scripts(ins):
                if any(c.subcommand in ("build", "install") for c in gocmd.find_go_commands(text)):
                    return True
    return False


# -- cgo --------------------------------------------------------------------------

_C_TOOLCHAIN_RE = re.compile(
    r"(?:apk|apt-get|apt|yum|dnf|microdnf|zypper)\b[^\n;&|]*?\b"
    r"(gcc|g\+\+|clang|build-base|build-essential|musl-dev|libc6-dev|libc-dev|glibc-devel|"
    r"[a-z0-9.+-]+-dev|[a-z0-9.+-]+-devel)\b"
)


def cgo_setting(tree: cst.Dockerfile, stage: cst.Stage) -> str | None:
    """The value ``CGO_ENABLED`` gets for the stage's builds (ENV, ARG, inline, export)."""
    value: str | None = None
    for ins in stage.instructions:
        if ins.name in ("ENV", "ARG"):
            env = stage_env(cst.Stage(stage.index, stage.from_, (ins,)))
            if "CGO_ENABLED" in env:
                value = env["CGO_ENABLED"]
            elif ins.name == "ARG" and any(w == "CGO_ENABLED" for w in ins.args):
                value = "$CGO_ENABLED"
        for text, _ in run_scripts(ins):
            set_here = gocmd.sets_cgo(text)
            if set_here is not None:
                value = set_here
    return value


def cgo_reasons(tree: cst.Dockerfile, stage: cst.Stage, context_reasons: list[str]) -> list[str]:
    """Why the stage's build needs cgo (empty when nothing says it does)."""
    reasons = list(context_reasons)
    setting = cgo_setting(tree, stage)
    if setting is not None and setting.strip("'\"") == "1":
        reasons.append("the Dockerfile sets CGO_ENABLED=1")
    for ins in stage.instructions:
        for text, _ in run_scripts(ins):
            match = _C_TOOLCHAIN_RE.search(text)
            if match:
                reasons.append(f"the builder installs a C toolchain or C headers ({match.group(1)})")
            if "-linkmode" in text and "external" in text:
                reasons.append("the build links externally (-linkmode external)")
    return list(dict.fromkeys(reasons))
