"""The analysed build contexts, kept in the user cache across runs and shared by workers.

A context's analysis (:func:`facts.context.analyze_context`) reads and scans every Go file,
which is most of a run's time in a large repository. The result is stored in the user
cache folder (``usercache``), keyed by a fingerprint of what the analysis read: the
context's real path, every file's relative path, size and modification time, every folder
name, and the dockerfix version and analysis code. Any file added, removed or changed
gives a new fingerprint and a new analysis; nothing else is trusted.

Within one run, workers that need the same context take turns: the first analyses it and
stores it under a lock file, the others wait for the lock and read the stored result, so a
context is scanned once per run however many Dockerfiles build from it.

When a context changed, the Go files whose size and modification time did not are not
read again: their scans from the earlier run (a second entry, ``scans-``, read only then)
are taken, so a file is scanned at most once per content.

Like the rest of the user cache this only saves time: an unwritable folder, a missing
lock (Windows), or a corrupt or foreign entry makes the analysis run as without a cache.
"""

from __future__ import annotations

import functools
import hashlib
import os

from dockerfix import usercache
from dockerfix.facts.context import BuildContext, Known, analyze_context, go_sources
from dockerfix.facts.gomodule import GoMod, Replace, Require
from dockerfix.facts.gosource import GoSource
from dockerfix.facts.program import Write
from dockerfix.facts.runtime import RuntimeFile
from dockerfix.facts.walk import Walk, walk_context

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any


@functools.lru_cache(maxsize=1)
def _code_stamp() -> str:
    """Sizes and modification times of the analysis modules (a changed one: a new key)."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for name in sorted(os.listdir(here)):
        if name.endswith(".py"):
            st = os.stat(os.path.join(here, name))
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def fingerprint(real: str, walk: Walk) -> str:
    """A digest of everything the analysis of the context at ``real`` depends on."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{real}\0{_code_stamp()}\0{walk.truncated}\n".encode())
    for rel, (size, mtime) in zip(walk.files, walk.stamps, strict=True):
        h.update(f"{rel}\0{size}\0{mtime}\n".encode(errors="surrogateescape"))
    for rel in walk.dirs:
        h.update(f"{rel}/\n".encode(errors="surrogateescape"))
    for note in walk.notes:
        h.update(f"!{note}\n".encode(errors="surrogateescape"))
    return h.hexdigest()


def _entry_name(real: str) -> str:
    return (
        "context-"
        + hashlib.blake2b(real.encode(errors="surrogateescape"), digest_size=12).hexdigest()
    )


def _plain(value: object) -> object:
    """``value`` with its records as plain tuples (``marshal`` stores no tuple subclass)."""
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _go_mod(data: tuple[Any, ...]) -> GoMod:
    path, module, go_version, toolchain, requires, replaces = data
    return GoMod(
        path,
        module,
        go_version,
        toolchain,
        tuple(Require(*r) for r in requires),
        tuple(Replace(*r) for r in replaces),
    )


#: how to make each field's records again from their plain tuples
_RECORDS: dict[str, Callable[[Any], Any]] = {
    "go_mod": lambda d: None if d is None else _go_mod(d),
    "go_mods": lambda d: [_go_mod(m) for m in d],
    "runtime_files": lambda d: [RuntimeFile(*f) for f in d],
    "unresolved_runtime_files": lambda d: [RuntimeFile(*f) for f in d],
    "writes": lambda d: [Write(*w) for w in d],
}
_FIELDS = tuple(name for name in BuildContext.__slots__ if name != "derived")


def to_data(context: BuildContext) -> tuple[object, ...]:
    """The context as plain values, in the order of ``_FIELDS``."""
    return tuple(_plain(getattr(context, name)) for name in _FIELDS)


def from_data(data: tuple[Any, ...]) -> BuildContext:
    """The context ``to_data`` gave."""
    values = {
        name: _RECORDS[name](value) if name in _RECORDS else value
        for name, value in zip(_FIELDS, data, strict=True)
    }
    values["embed_patterns"] = [tuple(p) for p in values["embed_patterns"]]
    return BuildContext(**values)


def _load(name: str, key: str) -> BuildContext | None:
    stored = usercache.load(name)
    if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != key:
        return None
    try:
        return from_data(stored[1])
    except (TypeError, ValueError, KeyError):  # an entry of another layout: a miss
        return None


class _Lock:
    """An exclusive lock on ``path`` (``flock``); nothing where it cannot be taken."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> _Lock:
        try:
            import fcntl

            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except (ImportError, OSError):
            self._close()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


def cached_analysis(directory: str) -> BuildContext:
    """The analysis of the context ``directory`` (a real path): stored, or made and stored."""
    walk = walk_context(directory)
    key = fingerprint(directory, walk)
    name = _entry_name(directory)
    found = _load(name, key)
    if found is not None:
        return found
    with _Lock(usercache.entry_path(name) + ".lock"):
        found = _load(name, key)  # another worker may have made it while this one waited
        if found is not None:
            return found
        scans = name.replace("context-", "scans-", 1)
        stamps = dict(zip(walk.files, walk.stamps, strict=False))
        sources = go_sources(directory, walk, _load_scans(scans))
        known = {src.rel: (stamps[src.rel], src) for src in sources}
        context = analyze_context(directory, walk=walk, known=known)
        usercache.store(name, (key, to_data(context)))
        usercache.store(scans, [[*stamp, *_scan_data(src)] for stamp, src in known.values()])
    return context


def _scan_data(src: GoSource) -> tuple[object, ...]:
    return (src.rel, src.blank, src.strings, src.line_comments, src.package, src.imports,
            src.aliases)  # fmt: skip


def _load_scans(name: str) -> Known:
    """The Go files scanned by an earlier run, by relative path (empty when none)."""
    stored = usercache.load(name)
    known: Known = {}
    if not isinstance(stored, list):
        return known
    try:
        for size, mtime, rel, *rest in stored:
            known[rel] = ((size, mtime), GoSource(rel, *rest))
    except (TypeError, ValueError):  # an entry of another layout: scan again
        return {}
    return known


@functools.lru_cache(maxsize=32)
def _analysed(directory: str, stamp: int) -> BuildContext:
    return cached_analysis(directory)


def context_of(directory: str) -> BuildContext | None:
    """The build context of a folder, analysed once per run and file state.

    Dockerfiles of one folder share it (a bulk run visits files in path order, so a small
    cache serves every file of a folder); a file added to or removed from the folder
    changes its mtime, and the folder is looked at again (``cached_analysis``: the stored
    analysis when no file changed). None when it is not a folder.
    """
    if not os.path.isdir(directory):
        return None
    try:
        stamp = os.stat(directory).st_mtime_ns
    except OSError:
        return None
    return _analysed(os.path.realpath(directory), stamp)


def entries() -> Iterator[str]:
    """The stored context entries of this version (for tests and cache maintenance)."""
    folder = os.path.dirname(usercache.entry_path("x"))
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        if name.startswith("context-") and name.endswith(".marshal"):
            yield os.path.join(folder, name)
