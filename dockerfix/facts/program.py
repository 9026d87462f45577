"""What the Go program does that decides where it can run: the programs it starts, the
files it writes, and what only root may do.

* **Programs it runs** (``os/exec``'s ``Command``/``CommandContext``, ``syscall.Exec``,
  ``os.StartProcess``): a distroless or scratch image has none of them, no shell either.
  Running itself again (``os.Args[0]``, ``os.Executable()``) does not count.
* **Files it writes** (``os.WriteFile``, ``os.Create``, ``os.OpenFile`` with ``O_CREATE``,
  ``os.Mkdir``/``MkdirAll``, ``ioutil.WriteFile``, SQLite/bolt/badger databases, lumberjack
  log files): by a relative path, or an absolute one outside ``/tmp``, they need a folder a
  non-root user can write.
* **The VCS stamp it reads** (``debug.ReadBuildInfo``'s ``vcs.revision`` ...): recorded
  by ``go build`` only when ``.git`` is in the build.
* **What needs root**: a client of the Docker/containerd/CRI socket in go.mod, a literal
  listen address on a port below 1024, raw sockets, mounts and chroots.

Paths and names are followed when they are literals, ``filepath.Join``/``path.Join`` of
literals, or identifiers given one literal value in the file (``const dataDir = "data"``).
Lexical, like the rest of the source scan: a good guess, every finding says where.
"""

from __future__ import annotations

import re

from dockerfix.facts.gomodule import GoMod
from dockerfix.facts.gosource import GoSource, call_args, literal_values, mentions, path_value
from dockerfix.record import Record

#: Modules whose clients talk to a container engine's socket (root-owned).
ENGINE_CLIENTS = (
    "github.com/docker/docker",
    "github.com/moby/moby",
    "github.com/fsouza/go-dockerclient",
    "github.com/containerd/containerd",
    "k8s.io/cri-api",
    "github.com/containers/podman",
)


class Write(Record):
    """A place the program writes: a path (None: not a literal), and where in the source."""

    path: str | None
    reason: str


def _calls(
    src: GoSource, pkg: str | None, funcs: str
) -> list[tuple[str, int, list[tuple[int, int]]]]:
    """``(function, offset, argument spans)`` of each call of ``pkg.funcs`` in ``src``
    (``pkg`` None: a method of that name on any receiver)."""
    if not mentions(src.blank, funcs):
        return []
    pattern = src.call_pattern(pkg, funcs)
    if pattern is None:
        return []
    return [
        (m.group(1), m.start(), call_args(src.blank, m.end() - 1))
        for m in pattern.finditer(src.blank)
    ]


def _is_self(text: str) -> bool:
    return "os.Args[0]" in text or "Executable" in text


def executed_programs(sources: list[GoSource]) -> list[str]:
    """What the program runs: ``"git" (exec.Command in main.go:12)``, or a name it builds."""
    out: list[str] = []
    for src in sources:
        if src.is_test:
            continue
        found = [
            *((f, off, spans, 1 if f == "CommandContext" else 0)
              for f, off, spans in _calls(src, "os/exec", "Command|CommandContext")),
            *((f, off, spans, 0) for f, off, spans in _calls(src, "syscall", "Exec")),
            *((f, off, spans, 0) for f, off, spans in _calls(src, "os", "StartProcess")),
        ]  # fmt: skip
        consts = literal_values(src) if found else {}
        for func, off, spans, k in found:
            where = f"{func} in {src.rel}:{src.line_of(off)}"
            if k >= len(spans):
                continue
            text = src.blank[spans[k][0] : spans[k][1]]
            if _is_self(text):
                continue
            name = path_value(src, *spans[k], consts)
            shown = f'"{name}"' if name is not None else "a program named at run time"
            out.append(f"{shown} ({where})")
    return list(dict.fromkeys(out))


_WRITE_CALLS = (
    ("os", "WriteFile|Create|Mkdir|MkdirAll", 0),
    ("io/ioutil", "WriteFile", 0),
    ("go.etcd.io/bbolt", "Open", 0),
    ("github.com/boltdb/bolt", "Open", 0),
    ("github.com/dgraph-io/badger", "DefaultOptions", 0),
    ("github.com/dgraph-io/badger/v2", "DefaultOptions", 0),
    ("github.com/dgraph-io/badger/v3", "DefaultOptions", 0),
    ("github.com/dgraph-io/badger/v4", "DefaultOptions", 0),
)
_SQLITE_DRIVERS = frozenset({"sqlite3", "sqlite"})


def writes(sources: list[GoSource]) -> list[Write]:
    """The files and folders the program writes (literal paths, or None when not a literal)."""
    out: list[Write] = []
    for src in sources:
        if src.is_test:
            continue
        calls = [(pkg, f, off, spans, k) for pkg, funcs, k in _WRITE_CALLS
                 for f, off, spans in _calls(src, pkg, funcs)]  # fmt: skip
        for f, off, spans in _calls(src, "os", "OpenFile"):
            flags = src.blank[spans[1][0] : spans[1][1]] if len(spans) > 1 else ""
            if re.search(r"O_CREATE|O_WRONLY|O_RDWR|O_APPEND|O_TRUNC", flags):
                calls.append(("os", f, off, spans, 0))
        for f, off, spans in _calls(src, "database/sql", "Open"):
            if len(spans) > 1 and src.string_at(*spans[0]) in _SQLITE_DRIVERS:
                calls.append(("database/sql", f, off, spans, 1))
        consts = literal_values(src) if calls else {}
        for pkg, func, off, spans, k in calls:
            if k >= len(spans):
                continue
            short = pkg.rpartition("/")[2]
            where = f"{short}.{func} in {src.rel}:{src.line_of(off)}"
            value = path_value(src, *spans[k], consts)
            if value is not None and value.startswith("file:"):
                value = value[len("file:") :].split("?")[0]
            out.append(Write(value, where))
        if "lumberjack" in src.blank:
            for m in re.finditer(r"\bFilename\s*:\s*", src.blank):
                value = src.strings.get(m.end())
                where = f"lumberjack Filename in {src.rel}:{src.line_of(m.start())}"
                out.append(Write(value, where))
    return out


def needs_writable(write: Write) -> bool:
    """True when a non-root user in a distroless image could not write there.

    ``/tmp`` (and ``/dev``) are writable to all; any other absolute folder, and any
    relative path (below a root-owned WORKDIR), is not; a path given at run time is not
    known (False here: reported apart).
    """
    if write.path is None:
        return False
    path = write.path.strip()
    if not path or path == ":memory:":
        return False
    if path.startswith("/"):
        return not path.startswith(("/tmp/", "/dev/")) and path not in ("/tmp", "/dev/null")
    return True


_PORT = re.compile(r"^(?:\[[^\]]*\]|[\w.\-]*)?:(\d{1,5})$")
_LISTEN_CALLS = (
    ("net/http", "ListenAndServe|ListenAndServeTLS", 0),
    ("net", "Listen", 1),
    (None, "Run|RunTLS|Start|StartTLS|Listen", 0),
)


def root_reasons(sources: list[GoSource], go_mods: list[GoMod]) -> list[str]:
    """Why the program needs root: an engine socket client, a low port, raw sockets."""
    reasons: list[str] = []
    for mod in go_mods:
        for req in mod.requires:
            if any(req.path == c or req.path.startswith(c + "/") for c in ENGINE_CLIENTS):
                reasons.append(
                    f"{mod.path} requires {req.path}, a client of the container engine's "
                    "socket, which is root's"
                )
    for src in sources:
        if src.is_test:
            continue
        for pkg, funcs, k in _LISTEN_CALLS:
            for func, off, spans in _calls(src, pkg, funcs):
                value = src.string_at(*spans[k]) if k < len(spans) else None
                port = _low_port(value)
                if port is not None:
                    reasons.append(
                        f'{func}("{value}") in {src.rel}:{src.line_of(off)} listens on port '
                        f"{port}, below 1024"
                    )
        for m in re.finditer(r"\bAddr\s*:\s*", src.blank) if "Addr" in src.blank else ():
            value = src.strings.get(m.end())
            port = _low_port(value)
            if port is not None:
                reasons.append(
                    f'Addr: "{value}" in {src.rel}:{src.line_of(m.start())} listens on port '
                    f"{port}, below 1024"
                )
        if "SOCK_RAW" in src.blank or "golang.org/x/net/icmp" in src.imports:
            reasons.append(f"{src.rel} opens raw sockets (SOCK_RAW or ICMP)")
        for func, off, _spans in _calls(src, "syscall", "Mount|Chroot|Setuid|Setgid"):
            reasons.append(f"syscall.{func} in {src.rel}:{src.line_of(off)} needs root")
    return list(dict.fromkeys(reasons))


def _low_port(value: str | None) -> int | None:
    if not value:
        return None
    m = _PORT.match(value.strip())
    if m is None:
        return None
    port = int(m.group(1))
    return port if 0 < port < 1024 else None


_VCS_KEYS = frozenset({"vcs.revision", "vcs.time", "vcs.modified"})


def vcs_reads(sources: list[GoSource]) -> list[str]:
    """Where the program reads the VCS stamp ``go build`` records from ``.git``
    (``debug.ReadBuildInfo`` settings ``vcs.revision``, ``vcs.time``, ``vcs.modified``)."""
    out: list[str] = []
    for src in sources:
        if src.is_test or "ReadBuildInfo" not in src.blank:
            continue
        for off, value in src.strings.items():
            if value in _VCS_KEYS:
                out.append(f'"{value}" in {src.rel}:{src.line_of(off)}')
                break
    return out
