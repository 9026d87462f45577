"""The build-context paths a Dockerfile reads: ``COPY``/``ADD`` sources and bind mounts."""

from __future__ import annotations

import functools
import posixpath
import re

from dockerfix import cst
from dockerfix.facts import gofacts


@functools.cache
def _url_re() -> re.Pattern[str]:
    """A remote source: a URL or ``git@`` (compiled on first use, see ``_is_url``)."""
    return re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)


def _is_url(word: str) -> bool:
    """Whether ``word`` is a remote source (``_url_re`` matches it).

    A match needs "://" in ``word`` or "git@" at its start; each character of the pattern
    matches exactly one of ``word``, so that '@' (which has no other case) is at index 3.
    Words with neither, nearly all, need no regex nor its compiling.
    """
    return ("://" in word or word[3:4] == "@") and _url_re().match(word) is not None


def mount_fields(value: str) -> dict[str, str]:
    """The ``key=value`` fields of a ``--mount`` flag (keys lower case, a bare key "true")."""
    fields: dict[str, str] = {}
    for part in value.split(","):
        key, eq, val = part.strip().partition("=")
        fields[key.strip().lower()] = val.strip().strip("'\"") if eq else "true"
    return fields


def _mount_sources(value: str) -> list[str]:
    """Context paths a ``RUN --mount`` reads: bind mounts without ``from=``."""
    fields = mount_fields(value)
    if fields.get("type", "bind") != "bind" or "from" in fields:
        return []
    return [fields.get("source", fields.get("src", "."))]


def context_sources(tree: cst.Dockerfile) -> list[str]:
    """The build-context paths the Dockerfile reads: ``COPY``/``ADD`` sources and bind mounts.

    Sources that come from a stage or an image (``--from``), URLs and heredocs are not
    context paths and are left out. ``$VAR`` parts are expanded where their value is known
    and kept as written otherwise (``build_dockerignore`` takes them as wildcards).
    """
    out: list[str] = []
    globals_ = gofacts.global_args(tree)
    for stage in tree.stages:
        facts = gofacts.stage_facts(tree, stage)
        for ins in stage.instructions:
            raw: list[str] = []
            if ins.name in ("COPY", "ADD") and ins.flag("from") is None:
                heredoc = bool(ins.heredoc_bodies)
                for word in ins.args[:-1]:
                    if heredoc and word.startswith("<<"):
                        continue
                    if _is_url(word):
                        continue
                    raw.append(word)
            elif ins.name == "RUN":
                for flag in ins.flags:
                    if flag.name == "mount" and flag.value:
                        raw.extend(_mount_sources(flag.value))
            env = {**globals_, **facts.declared(ins)} if raw else {}
            for word in raw:
                expanded = gofacts.expand(word, env)
                out.append(expanded if expanded is not None else word)
    return list(dict.fromkeys(out))


def whole_context(source: str) -> bool:
    """True when ``source`` names the whole context (``.``, ``/``, ``*``)."""
    cleaned = posixpath.normpath(source.replace("\\", "/")).lstrip("/")
    return cleaned in ("", ".") or re.fullmatch(r"[*/]+", cleaned) is not None
