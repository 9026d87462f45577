"""Finding the Dockerfiles under the paths given on the command line.

In folders, the files named ``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``,
``*.dockerfile``, ``Containerfile`` and ``Containerfile.*`` (also in lower case:
``dockerfile.sales``) are found (not
``*.dockerignore`` and editor or patch leftovers such as ``Dockerfile.orig``).
``.gitignore`` files are honoured the way git reads them — each folder's own,
those of the folders above up to the repository's top, and
``.git/info/exclude`` — and version-control folders, ``node_modules``,
``vendor`` and virtual environments are skipped. Symbolic links met while
walking are not followed: one that points inside the tree names a file the
walk reaches under its own name, one that points outside is out of bounds,
and neither can lead round a loop. A file named on the command line is always
processed. The result is sorted, and each file appears once.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from dockerfix.files import is_dockerfile_name
from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "vendor",
        ".venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)


def sort_key(path: str) -> tuple[str, ...]:
    """The key that puts paths in sorted order, folder by folder."""
    return PurePath(path).parts


class Found(Record):
    """A file to process: its path as shown to the user, and whether it was named explicitly."""

    path: str
    explicit: bool = False


class Discovery:
    """What the paths on the command line came to."""

    __slots__ = ("errors", "files", "skipped")

    def __init__(
        self,
        files: list[Found] | None = None,
        errors: list[tuple[str, str]] | None = None,
        skipped: list[tuple[str, str]] | None = None,
    ) -> None:
        self.files: list[Found] = [] if files is None else files
        self.errors: list[tuple[str, str]] = [] if errors is None else errors  # (path, message)
        # (path, why), for --verbose
        self.skipped: list[tuple[str, str]] = [] if skipped is None else skipped


class _Ignores:
    """Stacked ``.gitignore`` specs: (absolute folder, spec), shallowest first."""

    def __init__(self, specs: Sequence[tuple[str, Any]] = ()) -> None:
        self.specs = tuple(specs)

    def with_file(self, folder: str, path: str) -> _Ignores:
        spec = _read_spec(path)
        return self if spec is None else _Ignores((*self.specs, (folder, spec)))

    def ignored(self, absolute: str, is_dir: bool) -> bool:
        """True when the deepest ``.gitignore`` with a matching pattern ignores the path."""
        for folder, spec in reversed(self.specs):
            relative = os.path.relpath(absolute, folder).replace(os.sep, "/")
            if relative.startswith("../"):
                continue
            if is_dir:
                relative += "/"
            check = getattr(spec, "check_file", None)
            if check is None:  # pragma: no cover - pathspec < 0.12
                if spec.match_file(relative):
                    return True
                continue
            result = check(relative)
            if result.include is not None:
                return bool(result.include)
        return False


def _read_spec(path: str) -> Any:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


def _git_top(directory: str) -> str | None:
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _ancestor_ignores(root: str) -> _Ignores:
    """The ``.gitignore`` specs from the repository's top down to ``root``'s parent."""
    top = _git_top(root)
    if top is None:
        return _Ignores()
    ignores = _Ignores()
    exclude = os.path.join(top, ".git", "info", "exclude")
    if os.path.isfile(exclude):
        ignores = ignores.with_file(top, exclude)
    if top == root:
        return ignores
    folders = [top]
    relative = os.path.relpath(root, top)
    for part in PurePath(relative).parts[:-1]:
        folders.append(os.path.join(folders[-1], part))
    for folder in folders:
        candidate = os.path.join(folder, ".gitignore")
        if os.path.isfile(candidate):
            ignores = ignores.with_file(folder, candidate)
    return ignores


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


class _Walker:
    def __init__(self, out: Discovery) -> None:
        self.out = out

    def walk(self, display: str) -> list[str]:
        absolute = os.path.abspath(display)
        real_root = os.path.realpath(absolute)
        ignores = _ancestor_ignores(absolute)
        if ignores.ignored(absolute, True):
            self.out.skipped.append((display, "git-ignored, but named explicitly: searched"))
            ignores = _Ignores()
        found: list[str] = []
        self._walk(display, absolute, real_root, ignores, found)
        return found

    def _walk(
        self, display: str, absolute: str, real_root: str, ignores: _Ignores, found: list[str]
    ) -> None:
        gitignore = os.path.join(absolute, ".gitignore")
        if os.path.isfile(gitignore):
            ignores = ignores.with_file(absolute, gitignore)
        try:
            with os.scandir(absolute) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            self.out.errors.append((display, f"cannot list folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            link = entry.is_symlink()
            try:
                is_dir = not link and entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not (link or is_dir or is_dockerfile_name(entry.name)):
                continue  # most entries: no path to make
            shown = os.path.join(display, entry.name) if display != "." else entry.name
            path = entry.path
            if link:
                try:
                    to_dir = entry.is_dir()
                except OSError:  # a loop (``a -> a``) or a link it may not follow
                    self.out.skipped.append((shown, "symbolic link loop or unreadable link"))
                    continue
                if is_dockerfile_name(entry.name) or to_dir:
                    self.out.skipped.append((shown, _symlink_reason(path, real_root)))
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or _is_virtualenv(path):
                    self.out.skipped.append((shown, "skipped folder"))
                elif ignores.ignored(path, True):
                    self.out.skipped.append((shown, "git-ignored"))
                else:
                    self._walk(shown, path, real_root, ignores, found)
            elif is_dockerfile_name(entry.name):
                if ignores.ignored(path, False):
                    self.out.skipped.append((shown, "git-ignored"))
                else:
                    found.append(shown)


def _symlink_reason(path: str, real_root: str) -> str:
    target = os.path.realpath(path)
    if target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep):
        return "symbolic link inside the tree: its target is processed under its own name"
    return "symbolic link out of the tree: not followed"


def _missing(path: str) -> str:
    """Why ``path``, which does not exist, cannot be used."""
    if not os.path.islink(path):
        return "no such file or directory"
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link"


def discover(paths: Iterable[str]) -> Discovery:
    """The Dockerfiles named by ``paths`` (files and folders), sorted, each once."""
    out = Discovery()
    walker = _Walker(out)
    candidates: list[Found] = []
    for raw in paths:
        display = os.path.normpath(raw) if raw not in ("", ".") else "."
        if not os.path.exists(display):
            out.errors.append((raw, _missing(display)))
        elif os.path.isdir(display):
            candidates.extend(Found(p) for p in walker.walk(display))
        else:
            candidates.append(Found(display, explicit=True))
    seen: dict[str, Found] = {}
    for item in sorted(candidates, key=lambda f: sort_key(f.path)):
        key = os.path.realpath(item.path)
        first = seen.get(key)
        if first is None:
            seen[key] = item
        elif item.explicit and not first.explicit:
            seen[key] = Found(first.path, explicit=True)
    out.files = sorted(seen.values(), key=lambda f: sort_key(f.path))
    return out
