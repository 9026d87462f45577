"""Where a repository says its Dockerfiles are built from: read as data, never run.

* Compose files (``compose.yaml``, ``docker-compose*.yml`` ...): ``services.*.build`` as a
  string or ``{context, dockerfile}``, relative to the compose file;
* bake files in JSON (``docker-bake.json``): ``target.*.context``/``dockerfile``;
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
import json
import os
import re
import shlex
from collections.abc import Iterator

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


def _bake_json(path: str, rel: str) -> Iterator[Declaration]:
    try:
        data = json.loads(_read(path) or "")
    except ValueError:
        return
    targets = data.get("target") if isinstance(data, dict) else None
    if not isinstance(targets, dict):
        return
    folder = os.path.dirname(path)
    for name, target in targets.items():
        if not isinstance(target, dict):
            continue
        parent = targets.get(target.get("inherits", [None])[0]) if isinstance(
            target.get("inherits"), list) and target.get("inherits") else {}  # fmt: skip
        merged = {**(parent if isinstance(parent, dict) else {}), **target}
        context = merged.get("context", ".")
        dockerfile = merged.get("dockerfile", "Dockerfile")
        if not _literal(context, dockerfile):
            continue
        root = _norm(folder, context)
        yield Declaration(_norm(root, dockerfile), root, f"{rel}: target.{name}")


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


def _files(top: str) -> Iterator[str]:
    count = 0
    for folder, dirs, names in os.walk(top):
        # hidden folders (caches, virtual environments, tool state) hold no declaration,
        # except the CI ones
        dirs[:] = sorted(
            d for d in dirs if d not in _SKIP_DIRS and (not d.startswith(".") or d == ".github")
        )
        for name in sorted(names):
            count += 1
            if count > MAX_FILES:
                return
            yield os.path.join(folder, name)


@functools.lru_cache(maxsize=8)
def declared(top: str) -> tuple[Declaration, ...]:
    """Every build the repository at ``top`` declares (read once per process)."""
    found: list[Declaration] = []
    workflows = os.path.join(top, ".github", "workflows")
    for path in _files(top):
        name = os.path.basename(path)
        rel = os.path.relpath(path, top)
        folder = os.path.dirname(path)
        if _COMPOSE.match(name):
            found.extend(_compose(path, rel))
        elif name in ("docker-bake.json", "docker-bake.override.json"):
            found.extend(_bake_json(path, rel))
        elif name == "skaffold.yaml":
            found.extend(_skaffold(path, rel))
        elif name == "Tiltfile":
            found.extend(_tiltfile(path, rel))
        elif folder == workflows and name.endswith((".yml", ".yaml")):
            found.extend(_workflow(path, rel, top))
        elif name == ".gitlab-ci.yml":
            found.extend(_commands(path, rel, top, top))
        elif name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk"):
            found.extend(_commands(path, rel, folder, folder))
        elif name.endswith(".sh"):
            found.extend(_commands(path, rel, folder, top))
    return tuple(dict.fromkeys(found))


def contexts_for(dockerfile: str, top: str) -> list[Declaration]:
    """The declared builds of ``dockerfile`` (an absolute path) in the repository ``top``."""
    target = os.path.normpath(dockerfile)
    return [d for d in declared(os.path.normpath(top)) if d.dockerfile == target]
