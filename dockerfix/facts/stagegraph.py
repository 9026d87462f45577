"""How the stages of a Dockerfile depend on each other: ``FROM <stage>`` and ``COPY --from``.

Helpers for the runtime-stage and builder-stage rules (DFX006, DFX101-DFX104). A stage is
referred to by its ``AS`` name (case-insensitive, as BuildKit compares them) or by its index;
only earlier stages can be referred to. Image names are expanded with the global ``ARG``
defaults first, as BuildKit does for ``FROM``.
"""

from __future__ import annotations

import posixpath
import weakref

from dockerfix import cst
from dockerfix.facts import gofacts
from dockerfix.facts.sources import mount_fields

__all__ = [
    "base_stage",
    "chain",
    "chain_env",
    "copied_to",
    "copy_from_ref",
    "descendants",
    "go_build_stages",
    "in_a_target",
    "is_go_build_stage",
    "official_name",
    "reaches_a_target",
    "referenced_stage",
    "root_image",
    "targets",
]


def referenced_stage(tree: cst.Dockerfile, ref: str, before: int | None = None) -> cst.Stage | None:
    """The stage called ``ref`` (name or index) among the stages before index ``before``."""
    stages = tree.stages
    limit = len(stages) if before is None else before
    value = gofacts.expand(ref, gofacts.global_args(tree))
    if value is None:
        return None
    key = value.strip().lower()
    if key.isdigit():
        index = int(key)
        return stages[index] if index < limit else None
    for stage in reversed(stages[:limit]):
        if stage.name is not None and stage.name.lower() == key:
            return stage
    return None


def base_stage(tree: cst.Dockerfile, stage: cst.Stage) -> cst.Stage | None:
    """The earlier stage that ``stage``'s ``FROM`` builds on, or None for an external image."""
    image = stage.base_image
    if not image:
        return None
    return referenced_stage(tree, image, stage.index)


def chain(tree: cst.Dockerfile, stage: cst.Stage) -> list[cst.Stage]:
    """``stage``, then the stage it is built on, and so on up to the one on an external image."""
    out = [stage]
    current = stage
    while True:
        parent = base_stage(tree, current)
        if parent is None or any(parent.index == s.index for s in out):
            return out
        out.append(parent)
        current = parent


def chain_env(
    tree: cst.Dockerfile, stages: list[cst.Stage], upto: cst.Instruction | None = None
) -> dict[str, str]:
    """Variables known in a stage chain (as ``chain`` gives it) before ``upto`` (all if None).

    ENV and ARG values of the chain, root first; an ``ARG NAME`` without a value takes the
    global default. (ARGs of parent stages are not inherited by BuildKit; counting them is a
    harmless over-approximation for the defaults this is used for.)
    """
    globals_ = gofacts.global_args(tree)
    env: dict[str, str] = {}
    for stage in reversed(stages):
        for ins in stage.instructions:
            if ins is upto:
                return env
            if ins.name == "ARG":
                for word in ins.args:
                    name, eq, _ = word.partition("=")
                    if not eq and name in globals_ and name not in env:
                        env[name] = globals_[name]
            env.update(gofacts.stage_env(cst.Stage(stage.index, stage.from_, (ins,))))
    return env


def root_image(tree: cst.Dockerfile, stage: cst.Stage) -> str:
    """The external image at the bottom of ``stage``'s chain (global ARGs expanded)."""
    return gofacts.stage_image(tree, chain(tree, stage)[-1])


def descendants(tree: cst.Dockerfile, stage: cst.Stage) -> list[cst.Stage]:
    """The later stages built (directly or not) on ``stage``, in file order."""
    out: list[cst.Stage] = []
    for later in tree.stages[stage.index + 1 :]:
        if any(s.index == stage.index for s in chain(tree, later)[1:]):
            out.append(later)
    return out


def copy_from_ref(ins: cst.Instruction) -> str | None:
    """The ``--from`` value of a ``COPY``/``ADD`` (None when absent)."""
    if ins.name not in ("COPY", "ADD"):
        return None
    return ins.flag("from")


def _mount_from_refs(ins: cst.Instruction) -> list[str]:
    """The stages or images a ``RUN --mount=...,from=X`` reads."""
    if ins.name != "RUN":
        return []
    fields = [mount_fields(f.value) for f in ins.flags if f.name == "mount" and f.value]
    return [f["from"] for f in fields if f.get("from")]


class _Graph:
    """Who uses which stage in one tree, computed once per tree (trees are immutable).

    ``users[i]`` lists ``(later stage, instruction, mounted)`` for each ``COPY --from`` and
    ``RUN --mount from=`` that reads stage ``i``; ``held[i]`` is stage ``i`` and the stages
    built on it; ``wanted`` the stages some target is made of.
    """

    __slots__ = ("held", "targets", "users", "wanted")

    def __init__(self, tree: cst.Dockerfile) -> None:
        stages = tree.stages
        chains = [[s.index for s in chain(tree, st)] for st in stages]
        self.users: list[list[tuple[cst.Stage, cst.Instruction, bool]]] = [[] for _ in stages]
        self.held: list[set[int]] = [{s.index} for s in stages]
        used: set[int] = set()
        for stage, links in zip(stages, chains, strict=True):
            for parent in links[1:]:
                used.add(parent)
                self.held[parent].add(stage.index)
            for ins in stage.instructions:
                ref = copy_from_ref(ins)
                refs = [(ref, False)] if ref is not None else []
                refs += [(r, True) for r in _mount_from_refs(ins)]
                for r, mounted in refs:
                    source = referenced_stage(tree, r, stage.index)
                    if source is not None:
                        used.add(source.index)
                        self.users[source.index].append((stage, ins, mounted))
        last = stages[-1].index if stages else -1
        self.targets = [s for s in stages if s.index not in used or s.index == last]
        self.wanted = {i for t in self.targets for i in chains[t.index]}


_GRAPHS: weakref.WeakKeyDictionary[cst.Dockerfile, _Graph] = weakref.WeakKeyDictionary()


def _graph(tree: cst.Dockerfile) -> _Graph:
    found = _GRAPHS.get(tree)
    if found is None:
        found = _GRAPHS[tree] = _Graph(tree)
    return found


def targets(tree: cst.Dockerfile) -> list[cst.Stage]:
    """The stages a build may be asked for: the last one, and every one no other uses.

    A stage another builds on (``FROM``), copies from or mounts is a step towards it; any
    other can be built with ``--target`` (``dev``, ``test``, ``release`` stages).
    """
    return list(_graph(tree).targets)


def _is_glob(path: str) -> bool:
    return any(c in path for c in "*?[")


def copied_to(ins: cst.Instruction, workdir: str | None, path: str) -> str | None:
    """Where a ``COPY --from`` puts the file ``path`` of its source stage.

    ``""`` when the instruction does not copy it; None when it does (or may) but where it
    lands is not known (a variable, a wildcard). Sources are relative to the source stage's
    root, the destination to the working directory.
    """
    raw_sources = [a for a in ins.args[:-1] if not a.startswith("<<")]
    raw_dest = ins.args[-1].strip("'\"") if ins.args else ""
    dest = gofacts.resolve(workdir, raw_dest) if "$" not in raw_dest else None
    into_dir = raw_dest.endswith("/") or len(raw_sources) > 1
    for raw in raw_sources:
        src = raw.strip("'\"")
        if "$" in src:
            return None
        source = posixpath.normpath(posixpath.join("/", src))
        if _is_glob(source):
            import fnmatch  # only for a wildcard source: not at start-up

            ancestors = [path]
            while ancestors[-1] != "/":
                ancestors.append(posixpath.dirname(ancestors[-1]))
            if any(fnmatch.fnmatchcase(a, source) for a in ancestors):
                return None
            continue
        if path == source:
            if dest is None:
                return None
            return posixpath.join(dest, posixpath.basename(path)) if into_dir else dest
        if source == "/" or path.startswith(source + "/"):
            if dest is None:
                return None
            return posixpath.join(dest, posixpath.relpath(path, source))
    return ""


def in_a_target(tree: cst.Dockerfile, stage: cst.Stage) -> bool:
    """True when ``stage``, or a stage built on it, is (part of) a target: what it makes is
    in an image that is built."""
    graph = _graph(tree)
    return bool(graph.held[stage.index] & graph.wanted)


def reaches_a_target(
    tree: cst.Dockerfile,
    stage: cst.Stage,
    path: str | None,
    *,
    where_made: bool = True,
    _seen: frozenset[int] = frozenset(),
) -> bool:
    """True when the file ``path`` made in ``stage`` may end up in an image that is built.

    That is: ``stage`` or a stage built on it is (part of) a target (see ``targets``), or a
    ``COPY --from`` takes the file into a stage of which that holds, and so on. With
    ``where_made`` False the file counts only when copied out (a tool installed in a stage
    that is itself a target is there to be used, not shipped). An unknown path (None) or an
    unknown destination counts as reaching; a stage that mounts a holder counts as holding
    the file.
    """
    if where_made and in_a_target(tree, stage):
        return True
    graph = _graph(tree)
    held = graph.held[stage.index]
    if path is None:
        return where_made
    seen = _seen | held
    for holder in sorted(held):
        for later, ins, mounted in graph.users[holder]:
            if later.index in seen:
                continue
            # what a RUN does with a mount is not followed: it may copy the file anywhere
            landed = None if mounted else copied_to(ins, gofacts.workdir_at(tree, later, ins), path)
            if landed != "" and reaches_a_target(tree, later, landed, _seen=seen):
                return True
    return False


def is_go_build_stage(
    tree: cst.Dockerfile, stage: cst.Stage, _seen: frozenset[int] = frozenset()
) -> bool:
    """True when ``stage`` compiles Go or holds what a Go-compiling stage produced.

    That is: a stage of its chain is on a Go toolchain image or runs ``go build``/``go
    install``, or it copies (``COPY --from``) from such a stage.
    """
    if stage.index in _seen:
        return False
    seen = _seen | {stage.index}
    for st in chain(tree, stage):
        if gofacts.is_go_image(gofacts.stage_image(tree, st)):
            return True
        if gofacts.go_builds(tree, stage=st):
            return True
        for ins in st.instructions:
            ref = copy_from_ref(ins)
            if ref is None:
                continue
            source = referenced_stage(tree, ref, st.index)
            if source is not None and is_go_build_stage(tree, source, seen):
                return True
    return False


def go_build_stages(tree: cst.Dockerfile, stage: cst.Stage) -> list[cst.Stage]:
    """The Go build stages ``stage`` (or a stage of its chain) copies from with ``--from``."""
    out: list[cst.Stage] = []
    for st in chain(tree, stage):
        for ins in st.instructions:
            ref = copy_from_ref(ins)
            if ref is None:
                continue
            source = referenced_stage(tree, ref, st.index)
            if (
                source is not None
                and is_go_build_stage(tree, source)
                and all(s.index != source.index for s in out)
            ):
                out.append(source)
    return out


_REGISTRY_PREFIXES = (
    "docker.io/library/",
    "index.docker.io/library/",
    "registry-1.docker.io/library/",
    "mirror.gcr.io/library/",
    "public.ecr.aws/docker/library/",
    "docker.io/",
    "index.docker.io/",
    "library/",
)


def official_name(image: str) -> str:
    """The repository of ``image`` without Docker Hub or mirror prefixes (``alpine``)."""
    repo = gofacts.image_repository(image)
    for prefix in _REGISTRY_PREFIXES:
        if repo.startswith(prefix):
            return repo[len(prefix) :]
    return repo
