"""The build context of one Dockerfile: declared, configured, or guessed, and from where.

In order: ``--context DIR`` (the command line), the ``contexts`` table of the settings
(``"deploy/Dockerfile" = "."``, paths relative to the settings file), what the repository
declares (compose, bake, skaffold,
Tiltfiles, CI workflows, Makefiles and scripts: ``declarations``; when they name several
contexts, none is used: ``several``, and the rules work as without a context), the
Dockerfile's own folder when it holds a ``go.mod``, then a guess: the nearest folder at or
above the Dockerfile, inside its repository, that holds a ``go.mod`` and every file the
Dockerfile copies by a literal path; else the Dockerfile's own folder.
A guess is said to be one, so the rules can add it to their caveats.
"""

from __future__ import annotations

import functools
import os
import posixpath
from collections.abc import Sequence

from dockerfix.facts.sources import whole_context
from dockerfix.record import Record

#: how far up a guess may look (a Dockerfile in deploy/docker/api/ of a repository)
MAX_LEVELS_UP = 4


class ContextChoice(Record):
    """The chosen build context folder (as a path to show) and where the choice came from."""

    directory: str
    source: str
    guessed: bool = False
    several: bool = False  # built with several contexts: no one of them can be used

    def as_dict(self) -> dict[str, object]:
        """A plain dict for JSON."""
        return {"context": self.directory, "context_source": self.source}


def _literal(sources: Sequence[str]) -> list[str]:
    cleaned = []
    for source in sources:
        if "$" in source or any(c in source for c in "*?[") or whole_context(source):
            continue
        cleaned.append(posixpath.normpath(source.replace("\\", "/")).lstrip("/"))
    return cleaned


def _holds(folder: str, paths: Sequence[str]) -> bool:
    return all(os.path.lexists(os.path.join(folder, *p.split("/"))) for p in paths)


def _repository_top(folder: str) -> str | None:
    current = os.path.abspath(folder)
    for _ in range(64):
        if os.path.isdir(os.path.join(current, ".git")) or os.path.isfile(
            os.path.join(current, ".git")
        ):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return None


def guess(dockerfile: str, sources: Sequence[str]) -> ContextChoice:
    """The nearest folder at or above the Dockerfile with a go.mod and the copied files."""
    own = os.path.dirname(dockerfile) or "."
    literal = _literal(sources)
    if os.path.isfile(os.path.join(own, "go.mod")) or (literal and _holds(own, literal)):
        return ContextChoice(own, "the Dockerfile's folder")
    top = _repository_top(own)
    if top is None:
        return ContextChoice(own, "the Dockerfile's folder")
    current = own
    for _ in range(MAX_LEVELS_UP):
        if os.path.abspath(current) == top:
            break
        current = os.path.normpath(os.path.join(current, os.pardir))
        if not os.path.isfile(os.path.join(current, "go.mod")):
            continue
        if _holds(current, literal):
            return ContextChoice(
                current,
                "guessed: the nearest folder above the Dockerfile with a go.mod and the "
                "files it copies",
                guessed=True,
            )
    return ContextChoice(own, "the Dockerfile's folder")


def locate(
    dockerfile: str,
    sources: Sequence[str],
    *,
    explicit: str | None = None,
    table: Sequence[tuple[str, str]] = (),
    table_dir: str | None = None,
    table_source: str | None = None,
) -> ContextChoice:
    """The build context of ``dockerfile`` (a display path), given what it copies.

    ``table`` holds ``(Dockerfile, context)`` pairs relative to ``table_dir`` (the settings
    file's folder), ``table_source`` names that file.
    """
    if explicit is not None:
        return ContextChoice(explicit, "--context")
    if table and table_dir is not None:
        here = os.path.normpath(os.path.abspath(dockerfile))
        for name, folder in table:
            if os.path.normpath(os.path.abspath(os.path.join(table_dir, name))) == here:
                directory = os.path.normpath(os.path.join(table_dir, folder))
                return ContextChoice(
                    _shown(dockerfile, directory), f"{table_source or 'the settings'}: contexts"
                )
    declared = _declared(dockerfile)
    if declared is not None:
        # before the folder's own go.mod: a module's Dockerfile is often built from above
        # it (a go.work workspace, a monorepo's shared packages)
        return declared
    return guess(dockerfile, sources)


def read_declarations(dockerfiles: Sequence[str]) -> None:
    """Read the declarations of the repositories holding ``dockerfiles`` now (once each).

    A bulk run calls this before it starts its workers, which inherit what was read: the
    declarations are read once per run, not once per worker.
    """
    from dockerfix.contexts.declarations import declared

    folders = {os.path.dirname(os.path.abspath(path)) for path in dockerfiles}
    tops = {_repository_top(folder) for folder in folders}
    for top in sorted(t for t in tops if t is not None):
        declared(os.path.normpath(top))


def sharing(dockerfile: str, context: str) -> list[str]:
    """The other Dockerfiles the repository declares with the context ``context``
    (real paths, sorted)."""
    here = os.path.realpath(dockerfile)
    top = _repository_top(os.path.dirname(here))
    if top is None:
        return []
    found = _declared_by_context(os.path.normpath(top)).get(os.path.realpath(context), ())
    return [path for path in found if path != here]


@functools.lru_cache(maxsize=8)
def _declared_by_context(top: str) -> dict[str, tuple[str, ...]]:
    """The declared Dockerfiles that exist, by the real path of their context."""
    from dockerfix.contexts.declarations import declared

    out: dict[str, set[str]] = {}
    for d in declared(top):
        if os.path.isfile(d.dockerfile):
            out.setdefault(os.path.realpath(d.context), set()).add(os.path.realpath(d.dockerfile))
    return {context: tuple(sorted(paths)) for context, paths in out.items()}


def _shown(dockerfile: str, directory: str) -> str:
    """``directory`` as the user would write it: relative when the Dockerfile's path is."""
    return directory if os.path.isabs(dockerfile) else os.path.relpath(directory)


def _declared(dockerfile: str) -> ContextChoice | None:
    """The context the repository's compose, bake, CI or build scripts declare, if one."""
    top = _repository_top(os.path.dirname(dockerfile) or ".")
    if top is None:
        return None
    from dockerfix.contexts.declarations import contexts_for

    found = contexts_for(os.path.abspath(dockerfile), top)
    folders = list(dict.fromkeys(d.context for d in found))
    if not folders:
        return None
    if len(folders) > 1:
        # one Dockerfile built with several contexts: a fix must suit every one, so the
        # rules work as without a context (and say so)
        shown = "; ".join(
            f"{_shown(dockerfile, d.context)} ({d.source})"
            for d in {d.context: d for d in found}.values()
        )
        return ContextChoice(
            _shown(dockerfile, folders[0]),
            f"several contexts declared, so none is used: {shown}",
            several=True,
        )
    first = next(d for d in found if d.context == folders[0])
    return ContextChoice(_shown(dockerfile, first.context), f"declared in {first.source}")
