"""Helpers for the command-line tests: sample trees, snapshots, in-process and real runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from click.testing import CliRunner, Result

from dockerfix.cli import main

REPO = Path(__file__).resolve().parents[1]

#: A Go Dockerfile the fixer changes today (DFX005 at least: shell-form CMD).
GO = "FROM golang:1.23\nRUN go build -o /app .\nCMD /app --port 8080\n"
#: Not Go: must come out byte-identical.
NON_GO = "FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n"
#: BuildKit rejects it: the heredoc is never closed.
BROKEN = "FROM golang:1.23\nRUN <<EOF\necho never closed\n"
BINARY = b"\x7fELF\x02\x01\x01\x00\x00\x00binary\x00\xff"

ENTRYPOINT = 'ENTRYPOINT ["/app", "--port", "8080"]'


def write(path: Path, content: str | bytes, mode: int | None = None) -> Path:
    """Write ``content`` (bytes as is, text without newline translation) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if mode is not None:
        path.chmod(mode)
    return path


def git_init(root: Path) -> None:
    """Make ``root`` a git repository (for .gitignore and ``git apply``)."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def make_tree(root: Path, *, errors: bool = False) -> Path:
    """A repository with every kind of Dockerfile name, ignored folders and odd files.

    ``errors`` adds a file with an unterminated heredoc and a binary ``Dockerfile``.
    """
    git_init(root)
    write(root / ".gitignore", "ignored/\n*.generated.Dockerfile\n")
    write(root / "Dockerfile", GO)
    write(root / "api.Dockerfile", GO)
    write(root / "svc" / "Dockerfile.prod", GO.replace("\n", "\r\n"))  # CRLF
    write(root / "svc" / "web.dockerfile", NON_GO)
    # BOM, no final newline, mode 0640
    write(root / "tools" / "Containerfile", "\ufeff" + GO.rstrip("\n"), mode=0o640)
    write(root / "tools" / "Containerfile.dev", GO)
    write(root / "tools" / "x.generated.Dockerfile", GO)  # git-ignored by pattern
    write(root / "ignored" / "Dockerfile", GO)  # git-ignored folder
    write(root / "node_modules" / "pkg" / "Dockerfile", GO)
    write(root / "vendor" / "Dockerfile", GO)
    write(root / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    write(root / "env" / "Dockerfile", GO)  # a virtualenv
    write(root / "README.md", "# not a Dockerfile\n")
    write(root / "Dockerfile.dockerignore", ".git\n")  # an ignore file, not a Dockerfile
    if errors:
        write(root / "broken" / "Dockerfile", BROKEN)
        write(root / "bin" / "Dockerfile", BINARY)
    return root


#: The files ``make_tree`` puts where dockerfix must find them, in output order.
FOUND = [
    "Dockerfile",
    "api.Dockerfile",
    "svc/Dockerfile.prod",
    "svc/web.dockerfile",
    "tools/Containerfile",
    "tools/Containerfile.dev",
]
CHANGED = [p for p in FOUND if p != "svc/web.dockerfile"]
NEVER_TOUCHED = [
    "tools/x.generated.Dockerfile",
    "ignored/Dockerfile",
    "node_modules/pkg/Dockerfile",
    "vendor/Dockerfile",
    "env/Dockerfile",
]


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under ``root`` (not .git): bytes, permission bits, mtime in ns."""
    out: dict[str, tuple[bytes, int, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == ".git" or not path.is_file() or path.is_symlink():
            continue
        info = path.stat()
        out[rel.as_posix()] = (path.read_bytes(), info.st_mode & 0o7777, info.st_mtime_ns)
    return out


def contents(root: Path) -> dict[str, tuple[bytes, int]]:
    """``snapshot`` without the times."""
    return {k: (v[0], v[1]) for k, v in snapshot(root).items()}


def cli(args: Sequence[str], *, input: bytes | str | None = None, **env: str) -> Result:
    """Run the command in-process with click's test runner (stdout and stderr apart)."""
    runner = CliRunner()
    return runner.invoke(main, list(args), input=input, env=env or None, catch_exceptions=False)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a real run: no colour settings inherited, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def proc(
    args: Sequence[str],
    cwd: Path,
    *,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m dockerfix ARGS`` as a real process in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "dockerfix", *args],
        cwd=cwd,
        input=input if input is not None else b"",
        capture_output=True,
        env=dict(env) if env is not None else clean_env(),
        timeout=120,
        check=False,
    )
