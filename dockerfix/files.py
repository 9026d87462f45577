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
import errno
import os
import stat
from collections.abc import Iterator

from dockerfix.record import Record

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


class Interrupted(KeyboardInterrupt):
    """The run was interrupted by ``signum`` (SIGINT: Ctrl-C, or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_critical_depth = 0
_pending_signal: int | None = None
_interrupted = False
_delivered: int | None = None  # the signal raised as Interrupted (its exception may be lost)


@contextlib.contextmanager
def _critical() -> Iterator[None]:
    """A stretch that a signal must not cut in half: a write, its rename, its clean-up.

    With ``handle_signals`` installed, SIGINT/SIGTERM arriving meanwhile are held and
    raised (as ``Interrupted``) when the stretch is over, so every file is either fully
    old or fully new and no temporary file is left behind.
    """
    global _critical_depth, _pending_signal
    _critical_depth += 1
    try:
        yield
    finally:
        _critical_depth -= 1
        if _critical_depth == 0 and _pending_signal is not None:
            signum, _pending_signal = _pending_signal, None
            raise Interrupted(signum)  # the signal wins over an error in flight


def _on_signal(signum: int, frame: object) -> None:
    global _pending_signal, _interrupted, _delivered
    if _interrupted:
        return  # already stopping: a second Ctrl-C must not cut the clean-up short
    _interrupted = True
    if _critical_depth:
        _pending_signal = signum
        return
    _delivered = signum
    raise Interrupted(signum)


def check_interrupted() -> None:
    """Raise ``Interrupted`` again for a signal whose exception was lost.

    A signal's exception raised where Python only prints it (a fork handler while a pool
    starts its workers, a finaliser) does not stop the run; the run's loop calls this
    between files so that the signal still does.
    """
    if _delivered is not None and _critical_depth == 0:
        raise Interrupted(_delivered)


@contextlib.contextmanager
def handle_signals(*, linger: bool = False) -> Iterator[None]:
    """SIGINT and SIGTERM raise ``Interrupted`` once, held back while a file is replaced.

    Further signals are ignored while the run stops (workers are waited for, files in
    flight finished). With ``linger`` (a real ``dockerfix`` process, about to exit) they
    stay ignored after an interrupt, so a late Ctrl-C cannot break the interpreter's own
    clean-up; otherwise the previous handlers come back. Does nothing outside the main
    thread (where Python cannot install handlers).
    """
    import signal  # not threading (~1 ms): signal.signal says whether this is the main thread

    global _interrupted, _pending_signal, _delivered
    wanted = [signal.SIGINT, signal.SIGTERM]
    previous = {signum: signal.getsignal(signum) for signum in wanted}
    try:
        signal.signal(signal.SIGINT, _on_signal)
    except ValueError:  # not the main thread: only there can Python install handlers
        yield
        return
    _interrupted, _pending_signal, _delivered = False, None, None
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_IGN if linger and _interrupted else handler)
        _interrupted, _pending_signal, _delivered = False, None, None


class Source(Record):
    """A file's text and what is needed to write it back faithfully."""

    text: str
    digest: str  # sha256 of the bytes read, to notice changes made by someone else


def digest(data: bytes) -> str:
    """The sha256 hex digest of ``data``."""
    import hashlib  # not at the top: ``--version``, ``--dump`` and stdin mode never need it

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


def _open_error(exc: OSError) -> FileError:
    if isinstance(exc, IsADirectoryError):
        return FileError("is a directory")
    if isinstance(exc, FileNotFoundError):
        return FileError("no such file or directory")
    if isinstance(exc, PermissionError):
        return FileError("permission denied")
    if exc.errno == errno.ELOOP:
        return FileError("symbolic link loop")
    return FileError(f"cannot read: {exc.strerror or exc}")


def _size(count: int) -> str:
    return f"{count / (1 << 20):.1f} MiB" if count >= 100_000 else f"{count} bytes"


def too_large(size: int | None, limit: int) -> FileError:
    """The error for a file of ``size`` bytes (None: unknown, over ``limit``)."""
    shown = _size(size) if size is not None else f"more than {_size(limit)}"
    return FileError(
        f"too large: {shown} (dockerfix handles Dockerfiles up to {_size(limit)}); left unchanged"
    )


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """The bytes of ``path``; ``FileError`` when it cannot be read or has more than ``limit``.

    Only regular files are read: a FIFO, a device or a socket named like a Dockerfile is
    an error, never a hang (the file is opened non-blocking and checked before reading).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _open_error(exc) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileError("is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise FileError("not a regular file (a pipe, device or socket); not read")
        if limit is not None and info.st_size > limit:
            raise too_large(info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if limit is not None and total > limit:  # it grew while being read
                raise too_large(None, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise _open_error(exc) from None
    finally:
        os.close(fd)


#: The largest Dockerfile dockerfix fixes (real ones are a few kilobytes; BuildKit's own
#: 49-stage Dockerfile is 20 kB). Bigger files are refused with a clear message.
MAX_BYTES = 1 << 20
#: The largest file ``--dump`` parses (parsing is linear, about 1.5 s per MB).
MAX_DUMP_BYTES = 64 << 20


def read_source(path: str, limit: int | None = MAX_BYTES) -> Source:
    """Read and decode a Dockerfile (``FileError`` above ``limit`` bytes)."""
    data = read_bytes(path, limit)
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
    ``expected_digest``, the file must still hold the bytes that were read, checked
    when reading and again just before the rename, otherwise ``FileError`` is raised
    and nothing is written. A read-only file (no write permission bit, or not writable
    by this user) is refused. Whatever happens — a full disk, a permission error, an
    interrupt — the file keeps either its old or its new content in full, and the
    temporary file is removed.
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
    if not info.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise FileError("read-only file (no write permission); not written")
    with _critical():
        _replace(real, data, info, expected_digest)
    return True


def _replace(real: str, data: bytes, info: os.stat_result, expected_digest: str | None) -> None:
    import tempfile

    directory, name = os.path.split(real)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".dockerfix.tmp", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
            if hasattr(os, "chown"):
                with contextlib.suppress(OSError):
                    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                        os.chown(tmp, info.st_uid, info.st_gid)
        if expected_digest is not None and digest(read_bytes(real)) != expected_digest:
            raise FileError("changed on disk while dockerfix was running; not written")
        os.replace(tmp, real)
        tmp = None
    except OSError as exc:
        raise FileError(f"cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:  # failed before the rename: the original stays, untouched
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def safe_relative(relative: str) -> bool:
    """True when ``relative`` names a path inside its folder (no ``..``, not absolute)."""
    if not relative or os.path.isabs(relative) or relative.startswith(("/", "\\")):
        return False
    parts = relative.replace("\\", "/").split("/")
    return all(part not in ("", ".", "..") for part in parts)


def create_new(path: str, text: str) -> bool:
    """Create ``path`` with ``text``; False (and nothing written) when it already exists.

    The content is written to a temporary file first and then linked into place, which
    fails if ``path`` exists: the new file appears complete or not at all, even when the
    disk fills up or the run is interrupted. Where hard links are not supported, the
    file is created exclusively and removed again if writing fails.
    """
    if os.path.lexists(path):
        return False
    with _critical():
        return _create(path, text)


def _create(path: str, text: str) -> bool:
    directory, name = os.path.split(os.path.abspath(path))
    tmp: str | None = None
    try:
        fd, tmp = _new_temp(directory, name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(encode(text))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            return _create_exclusive(path, text)
    except OSError as exc:
        raise FileError(f"cannot create: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return True


def _new_temp(directory: str, name: str) -> tuple[int, str]:
    """A new, exclusively created temporary file beside ``name`` (mode 0666 minus umask)."""
    while True:
        tmp = os.path.join(directory, f".{name}.{os.urandom(4).hex()}.dockerfix.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _create_exclusive(path: str, text: str) -> bool:
    """``create_new`` without hard links: O_EXCL, removed again when writing fails."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(encode(text))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return True


_NOT_DOCKERFILE_SUFFIXES = (".dockerignore", ".orig", ".rej", ".bak", ".swp", ".tmp", "~")


def is_dockerfile_name(name: str) -> bool:
    """True for the file names dockerfix looks for in folders."""
    if name.startswith(".") or name.endswith(_NOT_DOCKERFILE_SUFFIXES):
        return False
    return (
        name in ("Dockerfile", "Containerfile", "dockerfile", "containerfile")
        or name.startswith(("Dockerfile.", "Containerfile.", "dockerfile.", "containerfile."))
        or name.endswith((".Dockerfile", ".dockerfile"))
    )
