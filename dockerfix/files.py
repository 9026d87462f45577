"""Reading and writing Dockerfiles without changing their habits.

Reading: the bytes are decoded as UTF-8 *without* newline translation, and
a UTF-8 byte-order mark stays in the text (the parser keeps it), so the text
is the file byte for byte. Binary and undecodable files raise ``FileError``
with the line and column of the first bad byte.

Writing: a temporary file in the same folder, with the original's permission
bits (and owner, where allowed), then ``os.replace`` — readers never see half
a file. Files whose bytes would not change are not touched. New files (a
``.dockerignore`` the fixer asks for) are created exclusively: an existing
file is never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_SNIFF = 8192


class FileError(Exception):
    """A file that cannot be read, decoded or written; ``line``/``column`` are 1-based or 0."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def located(self, path: str) -> str:
        """``PATH:LINE:COL: message`` (``PATH: message`` when there is no position)."""
        if self.line:
            return f"{path}:{self.line}:{self.column}: {self.message}"
        return f"{path}: {self.message}"


@dataclass(frozen=True)
class Source:
    """A file's text and what is needed to write it back faithfully."""

    text: str
    digest: str  # sha256 of the bytes read, to notice changes made by someone else

    @property
    def has_bom(self) -> bool:
        """True when the file starts with a UTF-8 byte-order mark."""
        return self.text.startswith("\ufeff")


def digest(data: bytes) -> str:
    """The sha256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters where decodable) of byte ``offset``."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def decode(data: bytes) -> str:
    """The text of a Dockerfile's bytes; raises ``FileError`` for binary or non-UTF-8 data."""
    if data.startswith(_UTF16_BOMS):
        raise FileError(
            "UTF-16 encoded; Dockerfiles must be UTF-8 (BuildKit reads UTF-8 only)", 1, 1
        )
    nul = data.find(b"\x00", 0, _BINARY_SNIFF)
    if nul >= 0:
        line, column = _position(data, nul)
        raise FileError("binary file (contains NUL bytes), not a Dockerfile", line, column)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise FileError(
            f"cannot decode as UTF-8 (byte 0x{data[exc.start]:02x}); Dockerfiles must be UTF-8",
            line,
            column,
        ) from None


def encode(text: str) -> bytes:
    """The bytes of ``text`` (UTF-8; a byte-order mark in the text is written as such)."""
    return text.encode("utf-8")


def read_bytes(path: str) -> bytes:
    """The bytes of ``path``; ``FileError`` when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        raise FileError("is a directory") from None
    except FileNotFoundError:
        raise FileError("no such file or directory") from None
    except PermissionError:
        raise FileError("permission denied") from None
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror or exc}") from None


def read_source(path: str) -> Source:
    """Read and decode a Dockerfile."""
    data = read_bytes(path)
    return Source(decode(data), digest(data))


def keep_habits(original: str, new: str) -> str:
    """``new`` with the original's byte-order mark and (uniform CRLF) line endings.

    The fixer already writes in the file's style; this is a last guard so that
    a file never changes its newline convention or loses its BOM.
    """
    if original.startswith("\ufeff") and not new.startswith("\ufeff"):
        new = "\ufeff" + new
    if "\r\n" in original and original.count("\n") == original.count("\r\n"):
        new = new.replace("\r\n", "\n").replace("\n", "\r\n")
    return new


def write_atomic(path: str, text: str, expected_digest: str | None = None) -> bool:
    """Replace ``path``'s content with ``text`` atomically; False when nothing changed.

    A symbolic link is followed (its target is rewritten, the link stays). With
    ``expected_digest``, the file must still hold the bytes that were read,
    otherwise ``FileError`` is raised and nothing is written.
    """
    real = os.path.realpath(path)
    data = encode(text)
    current = read_bytes(real)
    if expected_digest is not None and digest(current) != expected_digest:
        raise FileError("changed on disk while dockerfix was running; not written")
    if current == data:
        return False
    try:
        info = os.stat(real)
    except OSError as exc:
        raise FileError(f"cannot stat: {exc.strerror or exc}") from None
    directory, name = os.path.split(real)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".dockerfix.tmp", dir=directory)
    except OSError as exc:
        raise FileError(f"cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
            if hasattr(os, "chown"):
                with contextlib.suppress(OSError):
                    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                        os.chown(tmp, info.st_uid, info.st_gid)
        os.replace(tmp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise FileError(f"cannot write: {exc.strerror or exc}") from None
    return True


def safe_relative(relative: str) -> bool:
    """True when ``relative`` names a path inside its folder (no ``..``, not absolute)."""
    if not relative or os.path.isabs(relative) or relative.startswith(("/", "\\")):
        return False
    parts = relative.replace("\\", "/").split("/")
    return all(part not in ("", ".", "..") for part in parts)


def create_new(path: str, text: str) -> bool:
    """Create ``path`` with ``text``; False (and nothing written) when it already exists."""
    if os.path.lexists(path):
        return False
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return False
    except OSError as exc:
        raise FileError(f"cannot create: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(encode(text))
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise FileError(f"cannot write: {exc.strerror or exc}") from None
    return True
