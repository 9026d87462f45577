"""What a Dockerfile does with Go: toolchain stages, ``go build`` commands, binaries, cgo.

The rules share these facts. Everything here reads the tree (and, through
``BuildContext``, files next to the Dockerfile); nothing runs anything.
"""

from __future__ import annotations

import functools
import posixpath
import re
import weakref
from collections.abc import Iterator, Mapping

from dockerfix import cst
from dockerfix.facts import gocmd
from dockerfix.facts.shellwords import simple_commands
from dockerfix.record import Record

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
    """Default values of the ``ARG``s declared before the first ``FROM`` (a new dict).

    Computed once per tree skeleton (they are part of it), so an edit below the first
    ``FROM`` does not compute them again.
    """
    cache = tree.skeleton_cache
    found = cache.get("gofacts.global_args")
    if found is None:
        found = cache["gofacts.global_args"] = _global_args(tree)
    return dict(found)


def _global_args(tree: cst.Dockerfile) -> dict[str, str]:
    values: dict[str, str] = {}
    for ins in tree.instructions:
        if ins.name == "FROM":
            break
        if ins.name == "ARG":
            for word in ins.args:
                name, eq, value = word.partition("=")
                if eq:
                    text = _unquote(value)
                    expanded = expand(text, values) if "$" in text else text
                    values[name] = expanded if expanded is not None else text
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


_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# The official golang images (and their mirrors) keep the toolchain in /usr/local/go and set
# GOPATH=/go, PATH=/go/bin:/usr/local/go/bin:... and WORKDIR /go.
_OFFICIAL_GO_REPOS = _GO_REPOS - {"cgr.dev/chainguard/go"}


def goroot(image: str) -> str | None:
    """Where the toolchain image keeps GOROOT (``/usr/local/go``), or None when unknown."""
    repo = image_repository(image)
    if is_windows_image(image):
        return None
    if repo in _OFFICIAL_GO_REPOS or repo.endswith("/library/golang"):
        return "/usr/local/go"
    return None


#: Variables the official golang images set whose values depend on the tag.
GO_IMAGE_VARIABLES = frozenset({"GOLANG_VERSION", "GOTOOLCHAIN", "GOPATH", "PATH"})


def image_env(image: str) -> dict[str, str]:
    """Environment variables the base image is known to set (Linux images only).

    For the official golang images: ``GOPATH=/go`` and ``PATH=/go/bin:/usr/local/go/bin:...``;
    for any other Linux image only the conventional default ``PATH``.
    """
    if is_windows_image(image):
        return {}
    if goroot(image) is not None:
        return {"GOPATH": "/go", "PATH": f"/go/bin:/usr/local/go/bin:{_DEFAULT_PATH}"}
    return {"PATH": _DEFAULT_PATH}


def stage_image(tree: cst.Dockerfile, stage: cst.Stage) -> str:
    """The stage's base image with global ARG defaults expanded (as written if unknown)."""
    image = stage.base_image
    expanded = expand(image, global_args(tree))
    return expanded if expanded is not None else image


# -- stages and paths -------------------------------------------------------------


def _env_value(raw: str, known: dict[str, str]) -> str:
    """An ``ENV``/``ARG`` value unquoted and expanded (kept as written if a variable is unknown)."""
    text = _unquote(raw)
    expanded = expand(text, known) if "$" in text else text
    return expanded if expanded is not None else text


def _env_steps(
    stage: cst.Stage, globals_: dict[str, str], base: dict[str, str]
) -> Iterator[dict[str, str]]:
    """The ``ENV``/``ARG`` values known before each instruction of ``stage``, then at its end.

    One forward pass. Each ``ENV``/``ARG`` makes a new dict, so the ones already yielded
    keep their values; between them the same dict is yielded again (callers copy it).
    """
    env: dict[str, str] = {}
    from_env: set[str] = set()  # an ENV wins over a later ARG of the same name
    for ins in stage.instructions:
        yield env
        if ins.name == "ENV":
            env = dict(env)
            args = ins.args
            for i in range(0, len(args) - 2, 3):
                env[args[i]] = _env_value(args[i + 1], {**base, **env})
                from_env.add(args[i])
        elif ins.name == "ARG":
            env = dict(env)
            for word in ins.args:
                name, eq, value = word.partition("=")
                if name in from_env:
                    continue
                if eq:
                    env[name] = _env_value(value, {**base, **env})
                elif name in globals_:
                    env[name] = globals_[name]
    yield env


def stage_env(
    stage: cst.Stage,
    upto: cst.Instruction | None = None,
    *,
    globals_: dict[str, str] | None = None,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    """``ENV``/``ARG`` values known in ``stage`` before ``upto`` (all if None).

    Values are expanded against what is known before them (a value that refers to an
    unknown variable is kept as written). ``globals_`` are the global ``ARG`` defaults, which
    an ``ARG NAME`` without a value re-declares in the stage; ``base`` is the image's own
    environment, used for expansion only (it is not part of the result).

    This walks the stage on every call; for a stage of a tree, ``stage_facts`` answers for
    every instruction from one walk.
    """
    env: dict[str, str] = {}
    steps = _env_steps(stage, globals_ or {}, base or {})
    for ins, env in zip((*stage.instructions, None), steps, strict=True):
        if ins is upto:
            return dict(env)
    return dict(env)  # ``upto`` is not in the stage: at its end


def resolve(workdir: str | None, path: str) -> str | None:
    """``path`` made absolute against ``workdir``."""
    if path.startswith("/"):
        return posixpath.normpath(path)
    if workdir is None:
        return None
    return posixpath.normpath(posixpath.join(workdir, path))


# Directories that exist in Linux images (``go build -o DIR`` writes DIR/<name> into them).
_STANDARD_DIRS = frozenset(
    {
        "/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin",
        "/usr/local/sbin", "/tmp", "/opt", "/srv", "/root", "/home", "/var", "/etc", "/go",
        "/go/bin", "/go/src",
    }
)  # fmt: skip


def is_system_dir(path: str) -> bool:
    """True for a directory every Linux image has (``/``, ``/usr/bin``, ``/go`` ...)."""
    return posixpath.normpath(path) in _STANDARD_DIRS


class StageFacts:
    """What is known before each instruction of one stage: variables, workdir, dirs, module root.

    Each fact is computed for the whole stage in one forward pass the first time it is
    asked for, so asking about every instruction is linear. ``upto`` is an instruction of
    the stage; None (or an instruction of another stage) means after the last one.
    Get one through ``stage_facts``, which keeps it for the tree's lifetime.
    """

    def __init__(self, tree: cst.Dockerfile, stage: cst.Stage) -> None:
        # no reference to ``tree``: the cache of ``stage_facts`` must not keep it alive
        self.stage = stage
        self.image = stage_image(tree, stage)
        self._globals = global_args(tree)
        self._base = image_env(self.image)
        self._positions: dict[int, int] = {}
        for i, ins in enumerate(stage.instructions):
            self._positions.setdefault(id(ins), i)

    def _at(self, upto: cst.Instruction | None) -> int:
        end = len(self.stage.instructions)
        return end if upto is None else self._positions.get(id(upto), end)

    # -- the answers (fresh objects: callers may change them) ------------------------
    def declared(self, upto: cst.Instruction | None) -> dict[str, str]:
        """The stage's own ``ENV``/``ARG`` values before ``upto`` (``stage_env(stage, upto)``)."""
        return dict(self._declared[self._at(upto)])

    def env(self, upto: cst.Instruction | None) -> dict[str, str]:
        """Everything known to be set before ``upto``: image env, ARGs, ENVs (``full_env``)."""
        return self._full_env(self._at(upto))

    def workdir(self, upto: cst.Instruction | None) -> str | None:
        """The working directory before ``upto`` (None if it cannot be known)."""
        return self._workdirs[self._at(upto)]

    def known_dirs(self, upto: cst.Instruction | None) -> set[str]:
        """Directories known to exist before ``upto`` (see ``known_dirs``)."""
        at = self._at(upto)
        return {d for d, since in self._dirs_since.items() if since <= at}

    def has_dir(self, path: str, upto: cst.Instruction | None) -> bool:
        """True when ``path`` is one of ``known_dirs(upto)``."""
        since = self._dirs_since.get(path)
        return since is not None and since <= self._at(upto)

    def module_root(self, upto: cst.Instruction | None) -> str | None:
        """Where the context's ``go.mod`` lands before ``upto`` (see ``module_root``)."""
        return self._module_roots[self._at(upto)]

    # -- the forward passes: one value per position, the last one for the stage's end ------
    def _full_env(self, at: int) -> dict[str, str]:
        return {**self._base, **self._with_globals[at]}

    @functools.cached_property
    def _declared(self) -> list[dict[str, str]]:
        return list(_env_steps(self.stage, {}, {}))

    @functools.cached_property
    def _with_globals(self) -> list[dict[str, str]]:
        return list(_env_steps(self.stage, self._globals, self._base))

    @functools.cached_property
    def _workdirs(self) -> list[str | None]:
        image = self.image
        current: str | None = "/go" if is_go_image(image) and not is_windows_image(image) else None
        if current is None and _starts_at_root(image):
            current = "/"
        workdirs: list[str | None] = []
        for i, ins in enumerate(self.stage.instructions):
            workdirs.append(current)
            if ins.name != "WORKDIR" or not ins.args:
                continue
            raw = expand(_unquote(ins.args[0]), self._full_env(i))
            if raw is None:
                current = None
                continue
            raw = _unquote(raw)
            if raw.startswith("/"):
                current = posixpath.normpath(raw)
            elif current is not None:
                current = posixpath.normpath(posixpath.join(current, raw))
        workdirs.append(current)
        return workdirs

    @functools.cached_property
    def _dirs_since(self) -> dict[str, int]:
        """Each known directory and the first position it is known at."""
        since = dict.fromkeys(_with_parents(set(_STANDARD_DIRS)), 0)
        workdirs = self._workdirs
        for i, ins in enumerate(self.stage.instructions):
            found: set[str] = set()
            if ins.name == "WORKDIR":
                after = workdirs[i + 1]
                if after is not None:
                    found.add(after)
            elif ins.name in ("COPY", "ADD") and len(ins.args) >= 2 and not ins.heredocs:
                dest = ins.args[-1]
                sources = ins.args[:-1]
                if (
                    dest.endswith("/")
                    or len(sources) > 1
                    or any(s.rstrip("/") in ("", ".") or s.endswith("/") for s in sources)
                ):
                    absolute = resolve(workdirs[i], dest)
                    if absolute is not None:
                        found.add(absolute)
            else:
                for text, _ in run_scripts(ins):
                    found.update(mkdir_targets(text, workdirs[i]))
            for d in _with_parents(found):
                since.setdefault(d, i + 1)
        return since

    @functools.cached_property
    def _module_roots(self) -> list[str | None]:
        roots: list[str | None] = []
        root: str | None = None
        for i, ins in enumerate(self.stage.instructions):
            roots.append(root)
            if ins.name not in ("COPY", "ADD") or len(ins.args) < 2 or ins.flag("from") is not None:
                continue
            if ins.heredocs:
                continue
            sources = [posixpath.normpath(s.lstrip("/") or ".") for s in ins.args[:-1]]
            dest = ins.args[-1]
            absolute = resolve(self._workdirs[i], dest)
            if absolute is None:
                continue
            if "." in sources:
                root = absolute
            elif "go.mod" in sources:
                as_dir = dest.endswith("/") or len(sources) > 1 or dest in (".", "./")
                root = absolute if as_dir else posixpath.dirname(absolute)
        roots.append(root)
        return roots


_FACTS: weakref.WeakKeyDictionary[cst.Dockerfile, dict[int, StageFacts]] = (
    weakref.WeakKeyDictionary()
)


def stage_facts(tree: cst.Dockerfile, stage: cst.Stage) -> StageFacts:
    """The facts of ``stage``, made once per tree (trees are immutable; an edited tree is new).

    A stage that is not one of ``tree.stages`` (made up by the caller) gets uncached facts.
    """
    stages = tree.stages
    if not 0 <= stage.index < len(stages) or stages[stage.index] is not stage:
        return StageFacts(tree, stage)
    per_stage = _FACTS.setdefault(tree, {})
    facts = per_stage.get(stage.index)
    if facts is None:
        facts = per_stage[stage.index] = StageFacts(tree, stage)
    return facts


def full_env(
    tree: cst.Dockerfile, stage: cst.Stage, upto: cst.Instruction | None
) -> dict[str, str]:
    """Everything known to be set in ``stage`` before ``upto``: image env, ARGs, ENVs."""
    return stage_facts(tree, stage).env(upto)


#: official images that set no WORKDIR: their containers start in /
_ROOT_WORKDIR_IMAGES = frozenset({"scratch", "alpine", "busybox", "debian", "ubuntu"})


def _starts_at_root(image: str) -> bool:
    """True for ``scratch`` and the official alpine, busybox, debian and ubuntu images (also
    through a registry's mirror of the official library: ``mirror.gcr.io/library/alpine``)."""
    repo = image_repository(image)
    if repo == "scratch":
        return True
    parts = repo.split("/")
    official = len(parts) == 1 or parts[-2] == "library"
    return official and parts[-1] in _ROOT_WORKDIR_IMAGES


def workdir_at(tree: cst.Dockerfile, stage: cst.Stage, upto: cst.Instruction | None) -> str | None:
    """The working directory in ``stage`` just before ``upto`` (None if it cannot be known)."""
    return stage_facts(tree, stage).workdir(upto)


def known_dirs(tree: cst.Dockerfile, stage: cst.Stage, upto: cst.Instruction | None) -> set[str]:
    """Directories known to exist in ``stage`` before ``upto``.

    The standard ones of a Linux image, every ``WORKDIR``, the destinations of ``COPY``/``ADD``
    that are directories, the operands of ``mkdir``, and all their parents.
    """
    return stage_facts(tree, stage).known_dirs(upto)


def module_root(tree: cst.Dockerfile, stage: cst.Stage, upto: cst.Instruction | None) -> str | None:
    """Where the build context's ``go.mod`` lands in ``stage`` before ``upto``, if visible.

    Taken from the last ``COPY``/``ADD`` (not ``--from``) that copies ``go.mod`` or the whole
    context (``.``); None when no such copy is seen.
    """
    return stage_facts(tree, stage).module_root(upto)


class GoBuild(Record):
    """One ``go build``/``go install`` in a ``RUN`` of some stage."""

    stage: cst.Stage
    instruction: cst.Instruction
    command: gocmd.GoCommand
    offset: int  # where the RUN's shell text starts in the instruction's logical line
    workdir: str | None
    #: absolute paths of the binaries it writes; None if unknown, empty if it writes none
    #: (a ``go install`` of library packages only)
    outputs: tuple[str, ...] | None

    @property
    def output(self) -> str | None:
        """The path of the binary when the command writes exactly one (None otherwise)."""
        return self.outputs[0] if self.outputs is not None and len(self.outputs) == 1 else None

    @property
    def remote(self) -> bool:
        """True for ``go install pkg@version``: a tool fetched from the network, not the app."""
        return self.command.subcommand == "install" and any("@" in p for p in self.command.packages)

    @property
    def compile_only(self) -> bool:
        """True when the command writes no binary.

        ``go build`` without ``-o`` of several packages or of a pattern (``./...``) only checks
        that they compile, and so does ``-o /dev/null``; ``go install`` of packages none of
        which is a main package only fills the build cache.
        """
        if self.outputs == ():
            return True
        cmd = self.command
        if cmd.subcommand != "build":
            return False
        out = cmd.output
        if out is not None:
            return out == "/dev/null"
        packages = list(cmd.packages)
        if packages and all(p.endswith(".go") for p in packages):
            return False
        return len(packages) > 1 or any("..." in p for p in packages)


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
    tree: cst.Dockerfile,
    module_path: str | None = None,
    stage: cst.Stage | None = None,
    packages: Mapping[str, bool] | None = None,
) -> list[GoBuild]:
    """Every ``go build``/``go install`` of the file (or of one stage), in order.

    ``module_path`` and ``packages`` (the module's package directories, relative to its
    root, to whether each is a main package) come from the build context: with them, the
    binaries of a pattern (``go install ./...``) or of ``-o dir/`` are named.
    """
    found: list[GoBuild] = []
    for st in (stage,) if stage is not None else tree.stages:
        facts = stage_facts(tree, st)
        for ins in st.instructions:
            for text, offset in run_scripts(ins):
                for command in gocmd.find_go_commands(text):
                    if command.subcommand not in ("build", "install"):
                        continue
                    workdir = facts.workdir(ins)
                    made_here = mkdir_targets(text[: command.start], workdir)
                    env = _command_env(facts, ins, text, command)
                    change_dir = command.flag("C")
                    if change_dir is not None and change_dir.value is not None:
                        target = expand(change_dir.value, env)
                        workdir = resolve(workdir, target) if target is not None else None
                    found.append(
                        GoBuild(
                            stage=st,
                            instruction=ins,
                            command=command,
                            offset=offset if offset is not None else -1,
                            workdir=workdir,
                            outputs=_output_paths(
                                facts,
                                ins,
                                command,
                                workdir,
                                _Module(module_path, packages),
                                env,
                                made_here,
                            ),
                        )
                    )
    return found


def _command_env(
    facts: StageFacts, ins: cst.Instruction, text: str, command: gocmd.GoCommand
) -> dict[str, str]:
    """The environment a go command sees: image, ARG/ENV, ``export``s, inline assignments."""
    env = facts.env(ins)
    exported = gocmd.exported_env(text[: command.start])
    for source in (exported, command.env):
        for name, value in source.items():
            expanded = expand(value, env)
            env[name] = expanded if expanded is not None else value
    return env


def _with_parents(dirs: set[str]) -> set[str]:
    for d in list(dirs):
        parent = posixpath.dirname(d)
        while parent != d:  # the top ("/", "//" or "") is its own dirname
            dirs.add(parent)
            d, parent = parent, posixpath.dirname(parent)
    return dirs


def mkdir_targets(text: str, workdir: str | None) -> set[str]:
    """The directories ``mkdir`` commands in the shell text create (absolute paths)."""
    found: set[str] = set()
    for cmd in simple_commands(text):
        words = [w.value for w in cmd.words]
        if not words or words[0] is None or posixpath.basename(words[0]) != "mkdir":
            continue
        for word in words[1:]:
            if word is None or word.startswith("-"):
                continue
            absolute = resolve(workdir, word)
            if absolute is not None:
                found.add(absolute)
    return found


class _Module(Record):
    """What the build context says of the module a build compiles (None: unknown)."""

    path: str | None
    #: package directory (relative to the module root) to "is a main package"
    packages: Mapping[str, bool] | None


def _in_module(package: str, workdir_rel: str, module_path: str | None) -> str | None:
    """The directory, relative to the module root, of a package argument inside the module."""
    if package in (".", "..") or package.startswith(("./", "../")):
        rel = posixpath.normpath(posixpath.join(workdir_rel, package))
        return None if rel == ".." or rel.startswith(("../", "/")) else rel
    if module_path and (package == module_path or package.startswith(module_path + "/")):
        return package[len(module_path) + 1 :] or "."
    return None


def _binary_names(
    packages: list[str], workdir_rel: str, module: _Module, goos: str | None
) -> list[str] | None:
    """The names of the binaries the package arguments build (one per main package).

    A pattern (``./...``, ``./cmd/...``) is matched against the module's main packages; a
    package the build context shows to be a library writes nothing. None when a
    name cannot be told, or when two main packages have the same name (which one's binary
    is kept is not known).
    """
    if packages and all(p.endswith(".go") for p in packages):
        name = gocmd.default_binary_name(module.path, packages, workdir_rel, goos=goos)
        return [name] if name else None
    names: list[str] = []
    for package in packages or ["."]:
        if package == "std":
            continue  # the standard library has no commands: fills the build cache
        if "@" in package or re.search(r"[$`*?\[]", package):
            return None
        rel = _in_module(package.removesuffix("/..."), workdir_rel, module.path)
        if package.endswith("/...") or package == "...":
            if package == "..." or rel is None or module.packages is None:
                return None
            inside = "" if rel == "." else rel + "/"
            dirs = [
                d
                for d, main in module.packages.items()
                if main and (d == rel or d.startswith(inside))
            ]
        elif "..." in package:
            return None
        elif rel is not None and module.packages is not None and rel in module.packages:
            dirs = [rel] if module.packages[rel] else []
        else:
            name = gocmd.default_binary_name(module.path, package, workdir_rel, goos=goos)
            if name is None:
                return None
            names.append(name)
            continue
        for d in dirs:
            name = gocmd.default_binary_name(module.path, f"./{d}", goos=goos)
            if name is None:
                return None
            names.append(name)
    if len(set(names)) != len(names):
        return None
    return names


def _output_paths(
    facts: StageFacts,
    ins: cst.Instruction,
    command: gocmd.GoCommand,
    workdir: str | None,
    module: _Module,
    env: dict[str, str],
    made_here: set[str],
) -> tuple[str, ...] | None:
    """The binaries the command writes (absolute paths), None when they cannot be told."""
    packages = list(command.packages)
    goos = env.get("GOOS")
    workdir_rel = "."
    root = facts.module_root(ins)
    if root is not None and workdir is not None:
        rel = posixpath.relpath(workdir, root)
        if rel != ".." and not rel.startswith("../"):
            workdir_rel = rel
    elif module.packages is not None:
        module = _Module(module.path, None)  # where the module is in the image is not seen
    if command.flag("tags") is not None and module.packages is not None:
        module = _Module(module.path, None)  # which packages are main depends on the tags

    def paths_in(directory: str) -> tuple[str, ...] | None:
        if command.dynamic_args:
            return None  # ${FLAGS} may add packages
        names = _binary_names(packages, workdir_rel, module, goos)
        if names is None:
            return None
        found = [resolve(workdir, posixpath.join(directory, name)) for name in names]
        return tuple(p for p in found if p is not None) if None not in found else None

    if command.subcommand == "install":
        if goos and goos != env.get("GOHOSTOS", "linux"):
            return None  # cross-compiled installs go to $GOPATH/bin/<goos>_<goarch>/
        gobin = env.get("GOBIN") or posixpath.join(env.get("GOPATH", "/go"), "bin")
        if any("@" in p for p in packages):  # tools from the network: named by their paths
            if command.dynamic_args or any("..." in p or "$" in p for p in packages):
                return None
            names = [gocmd.default_binary_name(None, p.split("@", 1)[0]) for p in packages]
            found = [resolve(workdir, posixpath.join(gobin, n)) if n else None for n in names]
            return tuple(p for p in found if p is not None) if None not in found else None
        return paths_in(gobin)
    out = command.output
    if out is not None:
        expanded = expand(out, env)
        if expanded is None or "$" in expanded or "`" in expanded:
            return None  # an unknown variable or a command substitution
        out = _unquote(expanded)
        absolute = resolve(workdir, out)
        is_dir = absolute is not None and (
            absolute in _with_parents(set(made_here)) or facts.has_dir(absolute, ins)
        )
        if out.endswith("/") or is_dir:
            return paths_in(out) or None  # no main package at all: the build fails
        if len(packages) > 1 and not all(p.endswith(".go") for p in packages):
            return None  # several packages to one file: the build fails
        # a pattern (``-o /usr/local/bin/app ./...``, as the golang image's README has it)
        # builds only when it matches a single package: then that is the file
        return (absolute,) if absolute is not None else None
    if len(packages) > 1 and not all(p.endswith(".go") for p in packages):
        return None
    if any("..." in p for p in packages):
        return None
    return paths_in(".")


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

#: Every match of ``_c_toolchain_re`` contains one of these (``apt-get`` holds ``apt``,
#: ``microdnf`` holds ``dnf``): a script with none of them needs no regex (nor its compiling).
_PACKAGE_MANAGERS = ("apk", "apt", "yum", "dnf", "zypper")


@functools.cache
def _c_toolchain_re() -> re.Pattern[str]:
    """A package manager's command line that installs a C toolchain or C headers."""
    return re.compile(
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
            match = (
                _c_toolchain_re().search(text)
                if any(word in text for word in _PACKAGE_MANAGERS)
                else None
            )
            if match:
                reasons.append(
                    f"the builder installs a C toolchain or C headers ({match.group(1)})"
                )
            if "-linkmode" in text and "external" in text:
                reasons.append("the build links externally (-linkmode external)")
    return list(dict.fromkeys(reasons))
