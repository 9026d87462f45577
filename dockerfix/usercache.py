"""The user cache folder: small ``marshal`` files that spare start-up work.

Two kinds of entries, each under a folder named after the dockerfix version: the
grammar's LALR tables (``lalr-<checksum>-pyXY``, see ``grammar.lalr``) and the settings
read from a configuration file (``config-<checksum of its path>``, see ``config``), so
that an editor's run in a configured project does not import and run a TOML parser on
every save. ``marshal`` loads fast and needs no import.

The cache only saves time; it never decides anything. Every failure — no folder, a
read-only one, a corrupt or foreign entry, a value ``marshal`` cannot store — is silent,
and the caller computes what it needed. ``DOCKERFIX_CACHE_DIR`` moves the folder.
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def cache_dir() -> str:
    """The user cache directory for dockerfix (``DOCKERFIX_CACHE_DIR`` overrides it)."""
    override = os.environ.get("DOCKERFIX_CACHE_DIR")
    if override:
        return override
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
        return os.path.join(base, "dockerfix", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/dockerfix")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "dockerfix")


def entry_path(name: str) -> str:
    """Where the entry ``name`` of this dockerfix version lives."""
    from dockerfix import __version__

    return os.path.join(cache_dir(), __version__, f"{name}.marshal")


def load(name: str) -> Any:
    """The value stored under ``name``; None when there is none or it cannot be read."""
    try:
        with open(entry_path(name), "rb") as f:
            return marshal.load(f)
    except (OSError, EOFError, TypeError, ValueError):
        return None


def store(name: str, value: Any) -> None:
    """Store ``value`` under ``name`` (atomically: a reader sees the old or the new entry)."""
    path = entry_path(name)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        data = marshal.dumps(value)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError):  # ValueError: a value marshal cannot store
        try:  # noqa: SIM105 (not contextlib: an import for a rare path)
            os.unlink(tmp)
        except OSError:
            pass
