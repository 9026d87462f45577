"""Settings from ``.dockerfix.toml`` or ``[tool.dockerfix]`` in ``pyproject.toml``.

The nearest configuration file above a Dockerfile applies to it (in one
folder ``.dockerfix.toml`` wins over ``pyproject.toml``; a ``pyproject.toml``
without a ``[tool.dockerfix]`` table does not count). Files are not merged:
the nearest one is the whole configuration. Options on the command line win
over the file.

Keys::

    select = ["DFX001", "shell-form-entrypoint"]   # codes, names or prefixes
    ignore = ["DFX007"]
    runtime-image = "gcr.io/distroless/static-debian12"
    exclude = ["legacy/", "*.dev.Dockerfile"]      # gitignore-style, relative to the file's folder

    [contexts]                                     # build contexts (default: guessed)
    "deploy/Dockerfile" = "."                      # relative to this file's folder

    [verify]                                       # ``dockerfix verify``
    http-paths = ["/", "/healthz"]                 # GET these of a server (default: "/")
"""

from __future__ import annotations

import functools
import os
import re
import sys
import zlib
from collections.abc import Callable, Mapping

from dockerfix import usercache
from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONFIG_FILES = (".dockerfix.toml", "pyproject.toml")
KNOWN_KEYS = ("select", "ignore", "runtime-image", "exclude", "contexts", "verify")
VERIFY_KEYS = ("http-paths",)


@functools.cache
def _toml_position_re() -> re.Pattern[str]:
    """The position in a ``tomllib`` error message (compiled on the first bad file)."""
    return re.compile(r"\(at line (\d+), column (\d+)\)")


class ConfigError(Exception):
    """A configuration file that cannot be read or has bad settings."""

    def __init__(self, path: str, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}: {self.message}"
        return f"{self.path}: {self.message}"


class Config(Record):
    """One configuration: where it came from and the settings it makes (None: not set)."""

    path: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    runtime_image: str | None = None
    exclude: tuple[str, ...] = ()
    http_paths: tuple[str, ...] | None = None
    contexts: tuple[tuple[str, str], ...] = ()  # (Dockerfile, build context), relative

    def overridden(
        self,
        *,
        select: tuple[str, ...] | None = None,
        ignore: tuple[str, ...] | None = None,
        runtime_image: str | None = None,
    ) -> Config:
        """This configuration with the command line's settings on top."""
        return self._replace(
            select=select if select is not None else self.select,
            ignore=ignore if ignore is not None else self.ignore,
            runtime_image=runtime_image if runtime_image is not None else self.runtime_image,
        )

    @property
    def directory(self) -> str | None:
        """The folder the configuration file is in (``exclude`` patterns are relative to it)."""
        return os.path.dirname(self.path) if self.path else None


def split_names(values: Any, *, path: str, key: str) -> tuple[str, ...]:
    """Rule names from a list of strings or comma-separated strings."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(path, f"'{key}' must be a list of strings")
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None


def _load_toml(path: str, raw: bytes | None = None) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads((_read(path) if raw is None else raw).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        position = _toml_position_re()
        match = position.search(text)
        message = position.sub("", text).strip()
        if match:
            raise ConfigError(
                path, f"invalid TOML: {message}", int(match[1]), int(match[2])
            ) from None
        raise ConfigError(path, f"invalid TOML: {message}") from None


def parse_table(table: Mapping[str, Any], path: str) -> Config:
    """A ``Config`` from the settings table of ``path``."""
    unknown = sorted(set(table) - set(KNOWN_KEYS) - {"runtime_image"})
    if unknown:
        raise ConfigError(path, f"unknown setting '{unknown[0]}' (known: {', '.join(KNOWN_KEYS)})")
    config = Config(path=path)
    if "select" in table:
        config = config._replace(select=split_names(table["select"], path=path, key="select"))
    if "ignore" in table:
        config = config._replace(ignore=split_names(table["ignore"], path=path, key="ignore"))
    image = table.get("runtime-image", table.get("runtime_image"))
    if image is not None:
        if not isinstance(image, str) or not image.strip():
            raise ConfigError(path, "'runtime-image' must be a non-empty string")
        config = config._replace(runtime_image=image.strip())
    if "exclude" in table:
        config = config._replace(exclude=split_names(table["exclude"], path=path, key="exclude"))
    if "contexts" in table:
        config = config._replace(contexts=_contexts(table["contexts"], path))
    if "verify" in table:
        config = config._replace(http_paths=_http_paths(table["verify"], path))
    return config


def _contexts(value: Any, path: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in value.items()
    ):
        raise ConfigError(
            path, "'contexts' must be a table of Dockerfile = build context folder (strings)"
        )
    return tuple(sorted(value.items()))


def _http_paths(verify: Any, path: str) -> tuple[str, ...] | None:
    if not isinstance(verify, Mapping):
        raise ConfigError(path, "'verify' must be a table")
    unknown = sorted(set(verify) - set(VERIFY_KEYS))
    if unknown:
        known = ", ".join(VERIFY_KEYS)
        raise ConfigError(path, f"unknown setting 'verify.{unknown[0]}' (known: {known})")
    if "http-paths" not in verify:
        return None
    paths = verify["http-paths"]
    if not isinstance(paths, list) or not all(
        isinstance(p, str) and p.startswith("/") for p in paths
    ):
        raise ConfigError(path, "'verify.http-paths' must be a list of paths starting with /")
    return tuple(paths)


def load(path: str) -> Config | None:
    """The configuration in ``path``; None for a ``pyproject.toml`` without ``[tool.dockerfix]``."""
    table = _settings_table(path, _read(path))
    return None if table is None else parse_table(table, path)


def _settings_table(path: str, raw: bytes) -> dict[str, Any] | None:
    """The file's settings: ``[tool.dockerfix]`` of a ``pyproject.toml`` (None without one),
    the whole of a ``.dockerfix.toml``.

    Kept in the user cache by path and content (length and two checksums), so a run in a
    configured project (an editor's, on every save) neither imports nor runs the TOML
    parser (~10 ms) while the file stays the same. A file that does not parse is not kept.
    """
    pyproject = os.path.basename(path) == "pyproject.toml"
    if pyproject and b"dockerfix" not in raw:
        return None  # no [tool.dockerfix] can be in it: not even parsed
    where = os.path.abspath(path)
    name = f"config-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}"
    stamp = [where, len(raw), zlib.crc32(raw), zlib.adler32(raw)]
    cached = usercache.load(name)
    hit = isinstance(cached, list) and len(cached) == 2 and cached[0] == stamp
    if hit and (cached[1] is None or isinstance(cached[1], dict)):
        return cached[1]  # as stored below
    data = _load_toml(path, raw)
    table: dict[str, Any] | None = data
    if pyproject:
        tool = data.get("tool")
        table = tool.get("dockerfix") if isinstance(tool, dict) else None
        if table is not None and not isinstance(table, dict):
            raise ConfigError(path, "[tool.dockerfix] must be a table")
    usercache.store(name, [stamp, table])
    return table


class ConfigFinder:
    """Finds the configuration for each file, reading every folder's files at most once.

    A broken configuration file raises ``ConfigError`` for every file under it.
    """

    def __init__(self, explicit: str | None = None) -> None:
        self._explicit = explicit
        self._by_dir: dict[str, Config | ConfigError] = {}

    def for_file(self, path: str) -> Config:
        """The configuration that applies to the file at ``path`` (empty when none)."""
        if self._explicit is not None:
            found = self._lookup("\0explicit", self._load_explicit)
        else:
            found = self.for_directory(os.path.dirname(os.path.abspath(path)))
        return found

    def _load_explicit(self) -> Config:
        assert self._explicit is not None
        found = load(self._explicit)
        if found is None:
            raise ConfigError(self._explicit, "no [tool.dockerfix] table")
        return found

    def _lookup(self, key: str, compute: Callable[[], Config]) -> Config:
        if key not in self._by_dir:
            try:
                self._by_dir[key] = compute()
            except ConfigError as exc:
                self._by_dir[key] = exc
        value = self._by_dir[key]
        if isinstance(value, ConfigError):
            raise value
        return value

    def for_directory(self, directory: str) -> Config:
        """The nearest configuration at or above ``directory``."""
        return self._lookup(directory, lambda: self._search(directory))

    def _search(self, directory: str) -> Config:
        here = self._in_directory(directory)
        if here is not None:
            return here
        parent = os.path.dirname(directory)
        if parent == directory:
            return Config()
        return self.for_directory(parent)

    @staticmethod
    def _in_directory(directory: str) -> Config | None:
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                config = load(candidate)
                if config is not None:
                    return config
        return None
