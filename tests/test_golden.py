"""Golden fixer cases: ``golden/fixers/<RULE>/<case>/`` and ``golden/pipeline/<case>/``.

A case folder holds ``input.Dockerfile`` and optionally:

* ``expected.Dockerfile`` -- the fixed text; when absent the input must come out unchanged;
* ``options.toml`` -- ``runtime_image``, ``select``, ``ignore`` for ``dockerfix.fix``;
* ``context/`` -- the build context; the Dockerfile is taken to live at ``context/Dockerfile``;
* ``diagnostics.txt`` -- one line per diagnostic:
  ``CODE LINE:COL fixed|skipped message [-- reason]``;
* ``expected.dockerignore`` -- the ``.dockerignore`` the fixer asks to create, if any.

Run ``pytest --update-golden`` (or set ``DOCKERFIX_UPDATE_GOLDEN=1``) to rewrite the expected
files from the current output, then review them with ``git diff golden/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import dockerfix
from dockerfix.fixer.api import FixResult

from .conftest import GOLDEN

CASES = sorted(
    p.parent
    for sub in ("fixers", "pipeline")
    for p in (GOLDEN / sub).rglob("input.Dockerfile")
)


def _update(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden")) or os.environ.get(
        "DOCKERFIX_UPDATE_GOLDEN"
    ) == "1"


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def run_case(case: Path) -> tuple[str, FixResult]:
    """Fix a golden case's input the way the test does."""
    text = _read(case / "input.Dockerfile")
    options: dict[str, Any] = {}
    if (case / "options.toml").is_file():
        options = tomllib.loads(_read(case / "options.toml"))
    path = case / "context" / "Dockerfile" if (case / "context").is_dir() else None
    return text, dockerfix.fix(text, path, **options)


def render_diagnostics(result: FixResult) -> str:
    """The diagnostics as the golden ``diagnostics.txt`` spells them."""
    lines = []
    for d in result.diagnostics:
        status = "fixed" if d.fixed else "skipped"
        line = f"{d.code} {d.line}:{d.column} {status} {d.message}"
        if d.reason:
            line += f" -- {d.reason}"
        lines.append(line)
    if result.internal_error:
        lines.append(f"INTERNAL ERROR {result.internal_error}")
    return "".join(line + "\n" for line in lines)


@pytest.mark.parametrize("case", CASES, ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden(case: Path, request: pytest.FixtureRequest) -> None:
    text, result = run_case(case)
    assert result.internal_error is None, result.internal_error
    expected_path = case / "expected.Dockerfile"
    diag_path = case / "diagnostics.txt"
    ignore_path = case / "expected.dockerignore"
    created = result.created_files.get(".dockerignore")
    if _update(request):
        if result.text != text:
            _write(expected_path, result.text)
        elif expected_path.exists():
            expected_path.unlink()
        _write(diag_path, render_diagnostics(result))
        if created is not None:
            _write(ignore_path, created)
        elif ignore_path.exists():
            ignore_path.unlink()
    expected = _read(expected_path) if expected_path.exists() else text
    assert result.text == expected
    assert render_diagnostics(result) == (_read(diag_path) if diag_path.exists() else "")
    assert created == (_read(ignore_path) if ignore_path.exists() else None)
    # the output parses, round-trips, and a second run changes nothing
    assert dockerfix.parse(result.text).code == result.text
    path = case / "context" / "Dockerfile" if (case / "context").is_dir() else None
    options: dict[str, Any] = {}
    if (case / "options.toml").is_file():
        options = tomllib.loads(_read(case / "options.toml"))
    assert dockerfix.fix(result.text, path, **options).text == result.text
