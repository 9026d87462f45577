"""Where a repository says its Dockerfiles are built from: read as data, never run.

* Compose files (``compose.yaml``, ``docker-compose*.yml`` ...): ``services.*.build`` as a
  string or ``{context, dockerfile}``, relative to the compose file;
* bake files (``docker-bake.hcl`` through python-hcl2, ``docker-bake.json``, and their
  ``.override`` files): ``target.*.context``/``dockerfile`` with ``inherits`` and the
  variables' literal defaults;
* skaffold (``skaffold.yaml``): ``build.artifacts[].context`` and ``docker.dockerfile``;
* Tiltfiles: ``docker_build(ref, context, dockerfile=...)`` with literal arguments;
* GitHub Actions workflows: ``docker/build-push-action`` (``with.context``, ``with.file``)
  and ``run:`` steps; GitLab CI ``script:`` lines; Makefiles and shell scripts: the command
  lines ``docker build``, ``docker buildx build``, ``podman build``, ``buildah bud|build``
  with ``-f FILE CONTEXT``, literal arguments only (a ``$`` makes the line unknown).

Paths in workflows and CI files are relative to the repository's top; in Makefiles to the
Makefile's folder; in scripts to the script's folder when the paths exist there, else to
the repository's top. Declarations are read once per repository and process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shlex
from collections.abc import Callable, Iterator

from dockerfix.record import Record

_COMPOSE = re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]*)?\.ya?ml$")
_BUILD_LINE = re.compile(
    r"(?:docker(?:\s+buildx)?\s+build|podman\s+build|buildah\s+(?:bud|build))\s[^\n]*"
)
#: options of the build commands that take a value
_VALUED = frozenset(
    {"-t", "--tag", "--build-arg", "--target", "--platform", "--label", "--cache-from",
     "--cache-to", "-o", "--output", "--secret", "--ssh", "--network", "--progress",
     "--iidfile", "--add-host", "--build-context", "--annotation", "--builder", "-m",
     "--memory", "--shm-size", "--ulimit", "--metadata-file", "--pull", "--isolation",
     "--format", "--layers", "--squash", "--jobs", "--authfile", "--creds", "--from"}
)  # fmt: skip
_SKIP_DIRS = frozenset({".git", "node_modules", "vendor", ".venv", "venv", "testdata"})
MAX_FILES = 20_000
MAX_BYTES = 512 * 1024


class Declaration(Record):
    """A build of a Dockerfile with a context, and the file and place that declare it."""

    dockerfile: str  # absolute, normalised
    context: str  # absolute, normalised
    source: str  # "compose.yaml: services.api.build" (relative to the repository)


def _read(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _yaml(text: str) -> object:
    import yaml  # only when a compose, skaffold or workflow file is there

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _norm(base: str, path: str) -> str:
    return os.path.normpath(os.path.join(base, path))


def _literal(*values: object) -> bool:
    return all(isinstance(v, str) and v and "$" not in v and "{{" not in v for v in values)


def _compose(path: str, rel: str) -> Iterator[Declaration]:
    data = _yaml(_read(path) or "")
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return
    folder = os.path.dirname(path)
    for name, service in services.items():
        build = service.get("build") if isinstance(service, dict) else None
        if isinstance(build, str):
            build = {"context": build}
        if not isinstance(build, dict):
            continue
        context = build.get("context", ".")
        dockerfile = build.get("dockerfile", "Dockerfile")
        if "dockerfile_inline" in build or not _literal(context, dockerfile):
            continue
        root = _norm(folder, context)
        yield Declaration(_norm(root, dockerfile), root, f"{rel}: services.{name}.build")


_BAKE_FILES = (
    "docker-bake.json",
    "docker-bake.hcl",
    "docker-bake.override.json",
    "docker-bake.override.hcl",
)
_VARIABLE = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}")


def _hcl_value(value: object) -> object:
    """A python-hcl2 value with its string literals unquoted; an expression (a variable
    reference, a function call) becomes None: its value is not known here."""
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == value[-1] == '"':
            return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        return None
    if isinstance(value, list):
        return [_hcl_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _hcl_value(v) for k, v in value.items() if k != "__is_block__"}
    return value


def _bake_data(path: str) -> dict[str, dict[str, object]]:
    """``{"target": {name: attributes}, "variable": {name: attributes}}`` of a bake file."""
    text = _read(path)
    if text is None:
        return {}
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            kind: {str(k): v for k, v in block.items() if isinstance(v, dict)}
            for kind in ("target", "variable")
            if isinstance(block := data.get(kind), dict)
        }
    try:
        import hcl2  # only when a bake file in HCL is there
    except ImportError:
        return {}
    try:
        data = hcl2.loads(text)
    except Exception:
        return {}
    out: dict[str, dict[str, object]] = {}
    for kind in ("target", "variable"):
        for block in data.get(kind, []) if isinstance(data, dict) else []:
            for label, body in block.items() if isinstance(block, dict) else ():
                name = _hcl_value(label)
                if isinstance(name, str) and isinstance(body, dict):
                    out.setdefault(kind, {})[name] = _hcl_value(body)
    return out


def _bake(folder: str, top: str) -> Iterator[Declaration]:
    """The targets of the bake files of ``folder``, read together as ``docker buildx bake``
    reads them there: the override files' attributes win, ``inherits`` is followed (the
    later parents win, the target's own attributes over all), ``${VAR}`` takes the
    variable's literal default. A value not known here makes that target unknown."""
    targets: dict[str, dict[str, object]] = {}
    variables: dict[str, object] = {}
    sources: dict[str, str] = {}
    for name in _BAKE_FILES:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        data = _bake_data(path)
        for target, attrs in data.get("target", {}).items():
            if isinstance(attrs, dict):
                targets.setdefault(target, {}).update(attrs)
            sources.setdefault(target, os.path.relpath(path, top))
        for var, attrs in data.get("variable", {}).items():
            variables[var] = attrs.get("default") if isinstance(attrs, dict) else None

    def resolved(target: str, seen: tuple[str, ...]) -> dict[str, object]:
        own = targets.get(target, {})
        merged: dict[str, object] = {}
        parents = own.get("inherits")
        for parent in parents if isinstance(parents, list) else []:
            if isinstance(parent, str) and parent not in seen:
                merged.update(resolved(parent, (*seen, parent)))
        merged.update({k: v for k, v in own.items() if k != "inherits"})
        return merged

    def substituted(value: object) -> object:
        if not isinstance(value, str):
            return value

        def default(m: re.Match[str]) -> str:
            found = variables.get(m.group(1))
            return found if isinstance(found, str) and "$" not in found else m.group()

        return _VARIABLE.sub(default, value)

    for target in targets:
        merged = resolved(target, (target,))
        if "dockerfile-inline" in merged or "matrix" in merged:
            continue
        context = substituted(merged.get("context", "."))
        dockerfile = substituted(merged.get("dockerfile", "Dockerfile"))
        if not _literal(context, dockerfile):
            continue  # a variable without a literal default, an expression: unknown
        assert isinstance(context, str)
        assert isinstance(dockerfile, str)
        root = _norm(folder, context)
        yield Declaration(_norm(root, dockerfile), root, f"{sources[target]}: target.{target}")


def _skaffold(path: str, rel: str) -> Iterator[Declaration]:
    data = _yaml(_read(path) or "")
    build = data.get("build") if isinstance(data, dict) else None
    artifacts = build.get("artifacts") if isinstance(build, dict) else None
    folder = os.path.dirname(path)
    for k, artifact in enumerate(artifacts if isinstance(artifacts, list) else []):
        if not isinstance(artifact, dict):
            continue
        context = artifact.get("context", ".")
        docker = artifact.get("docker")
        dockerfile = (
            docker.get("dockerfile", "Dockerfile") if isinstance(docker, dict) else "Dockerfile"
        )
        if _literal(context, dockerfile):
            root = _norm(folder, context)
            yield Declaration(_norm(root, dockerfile), root, f"{rel}: build.artifacts[{k}]")


_TILT = re.compile(r"docker_build\(\s*(['\"])[^'\"]*\1\s*,\s*(['\"])([^'\"]*)\2([^)]*)\)")
_TILT_FILE = re.compile(r"dockerfile\s*=\s*(['\"])([^'\"]*)\1")


def _tiltfile(path: str, rel: str) -> Iterator[Declaration]:
    folder = os.path.dirname(path)
    for m in _TILT.finditer(_read(path) or ""):
        context = m.group(3)
        named = _TILT_FILE.search(m.group(4))
        dockerfile = named.group(2) if named else os.path.join(context, "Dockerfile")
        if _literal(context, dockerfile):
            yield Declaration(
                _norm(folder, dockerfile), _norm(folder, context), f"{rel}: docker_build"
            )


def command_lines(text: str) -> Iterator[tuple[str | None, str]]:
    """``(Dockerfile or None, context)`` of each literal build command line in ``text``."""
    for m in _BUILD_LINE.finditer(text.replace("\\\n", " ")):
        line = m.group().split("#")[0].split("&&")[0].split(";")[0].split("|")[0]
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        start = next((i for i, w in enumerate(words) if w in ("build", "bud")), None)
        if start is None or any("$" in w for w in words):
            continue
        dockerfile: str | None = None
        positional: list[str] = []
        i = start + 1
        while i < len(words):
            word = words[i]
            if word in ("-f", "--file"):
                dockerfile = words[i + 1] if i + 1 < len(words) else None
                i += 2
                continue
            if word.startswith("--file="):
                dockerfile = word.partition("=")[2]
            elif word in _VALUED:
                i += 1
            elif not word.startswith("-"):
                positional.append(word)
            i += 1
        if len(positional) == 1 and "://" not in positional[0] and positional[0] != "-":
            yield dockerfile, positional[0]


def _commands(path: str, rel: str, base: str, top: str) -> Iterator[Declaration]:
    for dockerfile, context in command_lines(_read(path) or ""):
        for folder in dict.fromkeys((base, top)):
            root = _norm(folder, context)
            target = _norm(folder, dockerfile) if dockerfile else os.path.join(root, "Dockerfile")
            if os.path.isdir(root) and os.path.isfile(target):
                yield Declaration(target, root, f"{rel}: a build command")
                break


def _workflow(path: str, rel: str, top: str) -> Iterator[Declaration]:
    data = _yaml(_read(path) or "")
    jobs = data.get("jobs") if isinstance(data, dict) else None
    for job in jobs.values() if isinstance(jobs, dict) else []:
        steps = job.get("steps") if isinstance(job, dict) else None
        for step in steps if isinstance(steps, list) else []:
            if not isinstance(step, dict):
                continue
            uses = str(step.get("uses", ""))
            if uses.startswith("docker/build-push-action"):
                given = step.get("with")
                given = given if isinstance(given, dict) else {}
                context = given.get("context", ".")
                dockerfile = given.get("file", os.path.join(str(context), "Dockerfile"))
                if _literal(context, dockerfile):
                    yield Declaration(_norm(top, dockerfile), _norm(top, context),
                                      f"{rel}: {uses.split('@')[0]}")  # fmt: skip
            run = step.get("run")
            if isinstance(run, str):
                for dockerfile, context in command_lines(run):
                    root = _norm(top, context)
                    target = (
                        _norm(top, dockerfile) if dockerfile else os.path.join(root, "Dockerfile")
                    )
                    yield Declaration(target, root, f"{rel}: a run step")


def _files(top: str) -> Iterator[tuple[str, str]]:
    """``(path, kind)`` of the declaring files under ``top`` (see ``_kind``)."""
    count = 0
    workflows = os.path.join(top, ".github", "workflows")
    for folder, dirs, names in os.walk(top):
        # hidden folders (caches, virtual environments, tool state) hold no declaration,
        # except the CI ones
        dirs[:] = sorted(
            d for d in dirs if d not in _SKIP_DIRS and (not d.startswith(".") or d == ".github")
        )
        count += len(names)
        if count > MAX_FILES:
            return
        for name in sorted(names):
            kind = _kind(name, folder == workflows)
            if kind is not None:
                yield os.path.join(folder, name), kind


def _kind(name: str, in_workflows: bool) -> str | None:
    """What kind of declaring file ``name`` is (None: none)."""
    if name.endswith((".yml", ".yaml")):
        if _COMPOSE.match(name):
            return "compose"
        if name == "skaffold.yaml":
            return "skaffold"
        if name == ".gitlab-ci.yml":
            return "gitlab"
        return "workflow" if in_workflows else None
    if name in _BAKE_FILES:
        return "bake"
    if name == "Tiltfile":
        return "tilt"
    if name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk"):
        return "make"
    return "script" if name.endswith(".sh") else None


def _stamp(paths: Iterator[str] | list[str]) -> list[list[int]]:
    out = []
    for path in paths:
        try:
            st = os.stat(path)
            out.append([st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([-1, -1])
    return out


class _Parsed:
    """What the data files (compose, bake, skaffold, Tiltfiles, workflows) declare, kept in
    the user cache by path, size and modification time: a YAML or HCL parser is imported
    and run only for a file that changed since the last run. The build commands of
    Makefiles and scripts are not kept: they depend on which folders exist."""

    def __init__(self, top: str) -> None:
        from dockerfix import usercache

        digest = hashlib.blake2b(top.encode(errors="surrogateescape"), digest_size=12)
        self.name = f"declarations-{digest.hexdigest()}"
        stored = usercache.load(self.name)
        self.old: dict[str, list[object]] = stored if isinstance(stored, dict) else {}
        self.new: dict[str, list[object]] = {}

    def get(
        self,
        key: str,
        files: list[str],
        read: Callable[..., Iterator[Declaration]],
        *args: str,
    ) -> list[Declaration]:
        """What ``read(*args)`` declares, from the cache when ``files`` did not change."""
        stamp = _stamp(files)
        entry = self.old.get(key)
        if entry is not None and entry[0] == stamp and isinstance(entry[1], list):
            found = [Declaration(*d) for d in entry[1]]
        else:
            found = list(read(*args))
        self.new[key] = [stamp, [list(d) for d in found]]
        return found

    def save(self) -> None:
        if self.new != self.old:
            from dockerfix import usercache

            usercache.store(self.name, self.new)


@functools.lru_cache(maxsize=8)
def declared(top: str) -> tuple[Declaration, ...]:
    """Every build the repository at ``top`` declares (read once per process)."""
    found: list[Declaration] = []
    parsed = _Parsed(top)
    bake_folders: set[str] = set()
    for path, kind in _files(top):
        rel = os.path.relpath(path, top)
        folder = os.path.dirname(path)
        if kind == "compose":
            found.extend(parsed.get(path, [path], _compose, path, rel))
        elif kind == "bake":
            if folder in bake_folders:
                continue  # the folder's bake files are read together
            bake_folders.add(folder)
            bakes = [os.path.join(folder, n) for n in _BAKE_FILES]
            found.extend(parsed.get(f"{folder}{os.sep}", bakes, _bake, folder, top))
        elif kind == "skaffold":
            found.extend(parsed.get(path, [path], _skaffold, path, rel))
        elif kind == "tilt":
            found.extend(parsed.get(path, [path], _tiltfile, path, rel))
        elif kind == "workflow":
            found.extend(parsed.get(path, [path], _workflow, path, rel, top))
        elif kind == "gitlab":
            found.extend(_commands(path, rel, top, top))
        elif kind == "make":
            found.extend(_commands(path, rel, folder, folder))
        else:  # a shell script
            found.extend(_commands(path, rel, folder, top))
    parsed.save()
    return tuple(dict.fromkeys(found))


def contexts_for(dockerfile: str, top: str) -> list[Declaration]:
    """The declared builds of ``dockerfile`` (an absolute path) in the repository ``top``."""
    target = os.path.normpath(dockerfile)
    return [d for d in declared(os.path.normpath(top)) if d.dockerfile == target]
