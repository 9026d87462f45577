"""Observing a running container: its TCP ports, its HTTP answers, the user it runs as.

Probes only ever connect to 127.0.0.1: engines publish ports on loopback alone, and the
buildah engine runs the container in a network namespace of its own.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Sequence

from dockerfix.record import Record

#: how much of a body or an output is kept for comparison and reports
MAX_KEPT = 64 * 1024


class HttpAnswer(Record):
    """What one HTTP GET got: the status (0 when no HTTP answer came) and the body."""

    path: str
    status: int
    body: bytes = b""
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        """A plain dict for JSON (the body shortened and decoded)."""
        return {
            "path": self.path,
            "status": self.status,
            "body": self.body[:2000].decode("utf-8", errors="replace"),
            "error": self.error,
        }


def wait_for_port(
    port: int,
    deadline: float,
    alive: Callable[[], bool] | None = None,
    host: str = "127.0.0.1",
) -> bool:
    """True once a TCP connection to ``host:port`` succeeds before ``deadline``.

    ``alive`` (a callable returning False once the container is gone) stops the wait early.
    """
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            pass
        if alive is not None and not alive():
            return False
        time.sleep(0.1)
    return False


def http_get(port: int, path: str, timeout: float = 5.0, host: str = "127.0.0.1") -> HttpAnswer:
    """GET ``path`` from ``host:port`` (plain HTTP/1.1, no redirects followed)."""
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": "dockerfix-verify"})
        response = conn.getresponse()
        body = response.read(MAX_KEPT)
        return HttpAnswer(path, response.status, body)
    except (OSError, http.client.HTTPException) as exc:
        return HttpAnswer(path, 0, b"", f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def observe(
    ports: Sequence[int],
    paths: Sequence[str],
    deadline: float,
    *,
    repeat: bool,
    alive: Callable[[], bool] | None = None,
    host_ports: dict[int, int] | None = None,
) -> tuple[bool, list[HttpAnswer], bool]:
    """Wait for every port, then GET each path on the first: (served, answers, deterministic).

    ``host_ports`` maps a container port to where it is published (default: the same
    number, the probe being in the container's network); with ``repeat`` each path is asked
    twice, and ``deterministic`` says whether the bodies were the same.
    """
    where = host_ports or {p: p for p in ports}
    if not ports or any(p not in where for p in ports):
        return False, [], True
    served = all(wait_for_port(where[p], deadline, alive) for p in ports)
    answers: list[HttpAnswer] = []
    deterministic = True
    if served:
        first = where[ports[0]]
        for path in paths:
            answer = http_get(first, path)
            if repeat and http_get(first, path).body != answer.body:
                deterministic = False
            answers.append(answer)
    return served, answers, deterministic


def uid_of(pid: int) -> int | None:
    """The effective uid of process ``pid`` (from ``/proc``), or None."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Uid:"):
                    return int(line.split()[2])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                found.extend(int(p) for p in fh.read().split())
        except (OSError, ValueError):
            continue
    return found


def _root_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/root")
    except OSError:
        return None


def _exe_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def _is_program(exe: str | None, engine: str | None) -> bool:
    return exe is not None and exe != engine and not exe.startswith("/memfd:")


def container_process(pid: int) -> int | None:
    """The first process below ``pid`` that is the container's program, or None.

    A chroot-isolated engine (buildah's ``--isolation chroot``) runs the container as a
    descendant of the ``buildah run`` process (``pid``), inside the image's root folder;
    the engine's own helpers on the way (the same executable as ``pid``, or one it runs
    from memory, ``/memfd:buildah-chroot-exec``), which may still be root before they become
    the program, are passed over.
    """
    engine = _exe_of(pid)
    queue = [pid]
    seen: set[int] = set()
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if (
            current != pid
            and _root_of(current) not in (None, "/")
            and _is_program(_exe_of(current), engine)
        ):
            return current
        queue.extend(_children(current))
    return None


def loopback_up() -> None:
    """Bring up ``lo`` in this process's network namespace (a new one starts with it down)."""
    import fcntl
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock.fileno(), siocgifflags, request))[1]
        fcntl.ioctl(sock.fileno(), siocsifflags, struct.pack("16sH14x", b"lo", flags | iff_up))
