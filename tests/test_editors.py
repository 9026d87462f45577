"""Editors driving ``dockerfix server`` for real, where they are installed: Neovim (headless)
and Emacs with eglot (batch)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent

NAIVE = (
    "FROM golang:1.22-alpine\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\n"
    "CMD /app/server --port 8080\n"
)


def _session(tmp_path: Path, editor: list[str]) -> list[str]:
    """Run ``editor`` (a session script reading the DOCKERFIX_* variables) on a naive Go
    Dockerfile in ``tmp_path``; the lines the script wrote."""
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(NAIVE)
    result = tmp_path / "result.txt"
    env = {
        **os.environ,
        "DOCKERFIX_SERVER": f"{sys.executable} -m dockerfix server",
        "DOCKERFIX_DOCKERFILE": str(dockerfile),
        "DOCKERFIX_RESULT": str(result),
    }
    subprocess.run(editor, env=env, cwd=tmp_path, timeout=120, check=False, capture_output=True)
    return result.read_text().splitlines()


def _check_fix_all(lines: list[str], codes: set[str]) -> None:
    """The findings arrived, the fix-all action was applied and the buffer was split."""
    assert {"DFX001", "DFX002", "DFX004"} <= codes
    assert "applied dockerfix: fix all" in lines
    text = [line.removeprefix("line ") for line in lines if line.startswith("line ")]
    assert text[0] == "FROM golang:1.22-alpine AS builder"
    assert "FROM gcr.io/distroless/static-debian13" in text


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed")
def test_neovim_shows_the_findings_and_applies_fix_all(tmp_path: Path) -> None:
    script = HERE / "editors" / "neovim_session.lua"
    lines = _session(tmp_path, ["nvim", "--headless", "-u", "NONE", "-c", f"luafile {script}"])
    _check_fix_all(lines, {line.split()[-1] for line in lines if line.startswith("diagnostic ")})

def _emacs_with_eglot() -> bool:
    if shutil.which("emacs") is None:
        return False
    found = subprocess.run(
        ["emacs", "--batch", "-Q", "-l", str(HERE / "editors" / "emacs_session.el"),
         "--eval", "(kill-emacs 0)"],
        env={**os.environ, "DOCKERFIX_PROBE": "1"}, capture_output=True, timeout=60,
        check=False,
    )  # fmt: skip
    return found.returncode == 0


@pytest.mark.skipif(not _emacs_with_eglot(), reason="Emacs with eglot is not installed")
def test_emacs_eglot_shows_the_findings_and_applies_fix_all(tmp_path: Path) -> None:
    script = HERE / "editors" / "emacs_session.el"
    lines = _session(tmp_path, ["emacs", "--batch", "-Q", "-l", str(script)])
    codes = {
        line.split("[", 1)[1].split("]", 1)[0] for line in lines if line.startswith("diagnostic ")
    }
    _check_fix_all(lines, codes)
