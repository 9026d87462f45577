"""The code base stays ruff-clean and mypy --strict clean (run as part of the suite)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import REPO


def _tool(name: str) -> list[str]:
    exe = shutil.which(name, path=str(REPO / ".venv-ci" / "bin")) or shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed (it is in the test extra)")
    return [exe]


def test_ruff_clean() -> None:
    result = subprocess.run(
        [*_tool("ruff"), "check", "dockerfix", "tests", "bench"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
