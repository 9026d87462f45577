"""Golden monorepo trees: every way a repository declares where its Dockerfiles are built.

Each ``golden/monorepos/<name>/repo`` is a repository of our own (the test adds the ``.git``
folder that makes it one): compose files (long and string syntax), a bake file with
``inherits`` and a variable without a default, a workflow with build-push-action, a
Makefile, two Dockerfiles sharing one context, a Dockerfile declared with two contexts,
a go.work workspace. ``expected-contexts.txt`` is each Dockerfile's context and where it
was declared (``--format json``); ``expected.diff`` is ``dockerfix --diff .`` at the top,
new ignore files included. ``pytest --update-golden`` rewrites both.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import GOLDEN
from .test_contexts import run

TREES = sorted(p for p in (GOLDEN / "monorepos").iterdir() if (p / "repo").is_dir())


@pytest.fixture
def update(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden")) or os.environ.get(
        "DOCKERFIX_UPDATE_GOLDEN"
    ) == "1"


def _checkout(case: Path, tmp_path: Path) -> Path:
    from dockerfix.contexts import locate
    from dockerfix.contexts.declarations import declared

    declared.cache_clear()
    locate._declared_by_context.cache_clear()
    repo = tmp_path / case.name
    shutil.copytree(case / "repo", repo)
    (repo / ".git").mkdir()
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return repo


def _compare(path: Path, actual: str, update: bool) -> None:
    if update:
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run pytest --update-golden"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", TREES, ids=lambda p: p.name)
def test_contexts_as_declared(case: Path, tmp_path: Path, update: bool) -> None:
    repo = _checkout(case, tmp_path)
    code, out, _ = run(["--format", "json", "--exit-zero", "."], repo)
    assert code == 0, out
    lines = [
        f"{entry['path']}: {entry['context']} ({entry['context_source']})"
        for entry in json.loads(out)["files"]
    ]
    _compare(case / "expected-contexts.txt", "\n".join(lines) + "\n", update)


@pytest.mark.parametrize("case", TREES, ids=lambda p: p.name)
def test_diff_of_the_whole_tree(case: Path, tmp_path: Path, update: bool) -> None:
    repo = _checkout(case, tmp_path)
    code, out, _ = run(["--diff", "--no-color", "."], repo)
    assert code in (0, 1), out
    _compare(case / "expected.diff", out, update)
    # the diff applies as is, and a second run has nothing left to do
    code, _, _ = run(["--write", "."], repo)
    assert code == 0
    code, again, _ = run(["--diff", "--no-color", "."], repo)
    assert again == ""
