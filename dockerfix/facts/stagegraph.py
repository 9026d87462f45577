"""How the stages of a Dockerfile depend on each other: ``FROM <stage>`` and ``COPY --from``.

Helpers for the runtime-stage and builder-stage rules (DFX006, DFX101-DFX104). A stage is
referred to by its ``AS`` name (case-insensitive, as BuildKit compares them) or by its index;
only earlier stages can be referred to. Image names are expanded with the global ``ARG``
defaults first, as BuildKit does for ``FROM``.
"""

from __future__ import annotations

from dockerfix import cst
from dockerfix.facts import gofacts

__all__ = [
    "base_stage",
    "chain",
    "chain_env",
    "copy_from_ref",
    "descendants",
    "go_build_stages",
    "is_go_build_stage",
    "official_name",
    "referenced_stage",
    "root_image",
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
