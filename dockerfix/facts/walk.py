"""Listing and reading a build context's files: bounded, sorted, never leaving the tree.

Files over 1 MiB are not read, the walk stops after 20,000 files, ``.git`` and
``node_modules`` are not entered, ``vendor`` is only noted, symbolic links to directories
are not followed and symbolic links that leave the tree are ignored.
"""

from __future__ import annotations

import os
import stat
from collections import deque

MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 20_000

_SKIP_DIRS = frozenset({".git", "node_modules"})


class Walk:
    """The files and folders of a context (POSIX paths relative to ``root``), and notes."""

    __slots__ = ("dirs", "files", "notes", "root", "stamps", "truncated", "vendor_dirs")

    def __init__(
        self,
        root: str,
        files: list[str] | None = None,
        dirs: list[str] | None = None,
        truncated: bool = False,
        notes: list[str] | None = None,
        vendor_dirs: list[str] | None = None,
    ) -> None:
        self.root = root
        self.files: list[str] = [] if files is None else files
        self.dirs: list[str] = [] if dirs is None else dirs
        self.truncated = truncated
        self.notes: list[str] = [] if notes is None else notes
        self.vendor_dirs: list[str] = [] if vendor_dirs is None else vendor_dirs
        #: ``(size, mtime in ns)`` of each file, in the order of ``files``
        self.stamps: list[tuple[int, int]] = []


def inside(root_real: str, path: str) -> bool:
    """True when ``path`` resolves to ``root_real`` or below it."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def walk_context(root: str) -> Walk:
    """Breadth-first, sorted, bounded listing of the context."""
    w = Walk(root)
    root_real = os.path.realpath(root)
    queue: deque[str] = deque([""])
    while queue:
        rel_dir = queue.popleft()
        abs_dir = os.path.join(root, rel_dir) if rel_dir else root
        try:
            with os.scandir(abs_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            w.notes.append(f"could not list {rel_dir or '.'}")
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_link = entry.is_symlink()
                if is_link and not inside(root_real, entry.path):
                    w.notes.append(f"{rel}: symbolic link leaves the context, ignored")
                    continue
                is_dir = entry.is_dir(follow_symlinks=not is_link) or (
                    is_link and os.path.isdir(entry.path)
                )
            except OSError:
                continue
            if is_dir:
                w.dirs.append(rel)
                if entry.name in _SKIP_DIRS:
                    continue
                if entry.name == "vendor":
                    w.vendor_dirs.append(rel)
                    continue
                if is_link:
                    continue  # never follow directory links: no loops, no escapes
                queue.append(rel)
                continue
            if len(w.files) >= MAX_FILES:
                w.truncated = True
                w.notes.append(f"stopped after {MAX_FILES} files")
                return w
            w.files.append(rel)
            try:
                st = entry.stat()
                w.stamps.append((st.st_size, st.st_mtime_ns))
            except OSError:
                w.stamps.append((-1, -1))
    return w


def read_text(root: str, rel: str) -> str | None:
    """Text of a context file, or None when missing, too large, unreadable or binary."""
    path = os.path.join(root, rel)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_FILE_BYTES or b"\0" in data[:8192]:
        return None
    text = data.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")
