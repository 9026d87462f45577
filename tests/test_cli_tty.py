"""What a person at a terminal sees, checked in a real pseudo-terminal (``pty``)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.clitools import GO, NON_GO, clean_env, write

pty = pytest.importorskip("pty")


def run_in_pty(
    args: list[str], cwd: Path, *, tty: str, env: dict[str, str] | None = None
) -> tuple[bytes, bytes, int]:
    """Run ``python -m dockerfix ARGS`` with ``tty`` ("stdout" or "stderr") on a terminal.

    Returns (what the terminal received, what the other stream received, exit code).
    """
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    with tempfile.TemporaryFile() as other:
        streams = (
            {"stdout": slave, "stderr": other}
            if tty == "stdout"
            else {
                "stdout": other,
                "stderr": slave,
            }
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "dockerfix", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            env=env or clean_env(TERM="xterm-256color"),
            close_fds=True,
            **streams,
        )
        os.close(slave)
        chunks: list[bytes] = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = process.wait(timeout=120)
        os.close(master)
        other.seek(0)
        return b"".join(chunks), other.read(), code


@pytest.fixture
def many(tmp_path: Path) -> Path:
    for i in range(30):
        write(tmp_path / f"svc{i:02}" / "Dockerfile", GO if i % 2 else NON_GO)
    return tmp_path


def test_progress_bar_and_summary_table_on_a_terminal(many: Path) -> None:
    terminal, stdout, code = run_in_pty(["--check", "--jobs", "1", "."], many, tty="stderr")
    assert code == 1
    shown = terminal.decode("utf-8", errors="replace")
    assert "━" in shown  # the bar
    assert "/30" in shown  # n of 30 files
    assert "files scanned" in shown
    assert "30" in shown
    assert "would change" in shown
    assert "unchanged" in shown
    assert "errors" in shown
    assert "\033[" in shown  # drawn with escape sequences
    # stdout is not a terminal: the plain list, no colour
    assert stdout.startswith(b"Would fix: svc01/Dockerfile")
    assert b"\033[" not in stdout


def test_summary_table_counts_fixes_per_rule(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", GO)
    terminal, _, code = run_in_pty(["--write", "."], tmp_path, tty="stderr")
    assert code == 0
    shown = terminal.decode("utf-8", errors="replace")
    assert "fixed" in shown
    assert "fixes DFX0" in shown
    assert "━" not in shown  # one file: no progress bar


def test_quiet_draws_nothing(many: Path) -> None:
    terminal, _, code = run_in_pty(["--check", "--quiet", "."], many, tty="stderr")
    assert (code, terminal) == (1, b"")


def test_diff_is_coloured_on_a_terminal(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", GO)
    terminal, stderr, code = run_in_pty(["--diff", "Dockerfile"], tmp_path, tty="stdout")
    assert code == 1
    assert b"\033[32m+" in terminal
    assert b"\033[31m-" in terminal
    assert b"files scanned" not in stderr  # stderr is not a terminal: no table


def test_no_color_and_no_color_flag_on_a_terminal(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", GO)
    env = clean_env(TERM="xterm-256color", NO_COLOR="1")
    terminal, _, _ = run_in_pty(["--diff", "Dockerfile"], tmp_path, tty="stdout", env=env)
    assert b"\033[" not in terminal
    assert b"+++ b/Dockerfile" in terminal
    terminal, _, _ = run_in_pty(["--diff", "--no-color", "Dockerfile"], tmp_path, tty="stdout")
    assert b"\033[" not in terminal
    assert b"+++ b/Dockerfile" in terminal


def test_no_color_also_mutes_the_table(many: Path) -> None:
    env = clean_env(TERM="xterm-256color", NO_COLOR="1")
    terminal, _, _ = run_in_pty(["--check", "--jobs", "1", "."], many, tty="stderr", env=env)
    shown = terminal.decode("utf-8", errors="replace")
    assert "files scanned" in shown
    assert "\033[32m" not in shown
    assert "\033[31m" not in shown
