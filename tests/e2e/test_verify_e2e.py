"""The build-verified suite: ``dockerfix verify`` on real builds, with buildah and stand-ins.

Each app under ``tests/e2e/apps/`` is a small Go program of the project's own with the
naive Dockerfile people write, and an ``expect.toml``:

* ``status`` -- what ``verify`` must say (``VERIFIED``: the fixed image behaves the same);
* ``rules`` / ``absent-rules`` -- rules whose fixes must / must not be in the new text;
* ``declines`` -- rules that must report a finding they did not fix;
* ``uid-after`` -- the uid the fixed image's process must run as (65532 wherever DFX006
  added a USER); ``smaller`` -- the fixed image must be smaller (less than half wherever
  DFX001 split the build);
* ``runtime-image``, ``http-paths``, ``run-args`` -- passed to ``dockerfix verify``;
* ``setup = "git"`` -- the app is made a git repository first (for builds that run git).

The app is copied to a temporary folder first (verify writes nothing, but ``setup`` does).
The golden fixer cases whose context holds a Go main package are verified too: none may be
a REGRESSION. Without buildah (or the stand-ins' makings) the suite skips, except under CI,
where it fails. Run it alone: ``python -m pytest tests/e2e``; skip it: ``-m "not e2e"``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..conftest import GOLDEN, REPO
from .standins import StandInError, build_all

pytestmark = pytest.mark.e2e

APPS_DIR = Path(__file__).parent / "apps"
APPS = sorted(p.name for p in APPS_DIR.iterdir() if (p / "expect.toml").is_file())


@pytest.fixture(scope="session")
def engine_env() -> dict[str, str]:
    """The environment that points buildah at the suite's storage, stand-ins made."""
    work = Path(os.environ.get("DOCKERFIX_E2E_DIR", REPO / ".e2e")).resolve()
    try:
        return build_all(work).env
    except StandInError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the build-verified suite cannot run here: {exc}")
        pytest.skip(f"the build-verified suite cannot run here: {exc}")


def verify(folder: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    """``dockerfix verify --engine buildah --format json ARGS FOLDER``: code, JSON, stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "dockerfix", "verify", "--engine", "buildah", "--format",
         "json", "--quiet", *args, str(folder)],
        env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    try:
        document = json.loads(done.stdout)
    except ValueError:
        pytest.fail(f"no JSON from verify (exit {done.returncode}): {done.stderr[-2000:]}")
    return done.returncode, document, done.stderr


def _make_git_repository(folder: Path) -> None:
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "app"], check=True)
    subprocess.run([*git, "tag", "v1.2.3"], check=True)


@pytest.mark.parametrize("name", APPS)
def test_app_verifies(name: str, engine_env: dict[str, str], tmp_path: Path) -> None:
    expect = tomllib.loads((APPS_DIR / name / "expect.toml").read_text())
    folder = tmp_path / name
    shutil.copytree(APPS_DIR / name, folder, ignore=shutil.ignore_patterns("expect.toml"))
    if expect.get("setup") == "git":
        _make_git_repository(folder)
    args: list[str] = []
    if "runtime-image" in expect:
        args += ["--runtime-image", expect["runtime-image"]]
    for path in expect.get("http-paths", []):
        args += ["--http-path", path]
    for arg in expect.get("run-args", []):
        args += ["--run-arg", arg]
    code, document, stderr = verify(folder, engine_env, *args)
    files = document["files"]
    assert len(files) == 1, (document, stderr)
    (result,) = files
    assert result["status"] == expect["status"], json.dumps(result, indent=1)[:6000]
    assert code == (0 if expect["status"] == "VERIFIED" else 1)
    applied = set(result["rules_applied"])
    assert set(expect.get("rules", [])) <= applied, applied
    assert not set(expect.get("absent-rules", [])) & applied, applied
    after = result["after"]
    if "uid-after" in expect:
        assert after["run"]["uid"] == expect["uid-after"], after["run"]
    if "DFX006" in applied:  # a USER was added: the process really runs as it
        assert after["run"]["uid"] == 65532, after["run"]
    before_size, after_size = result["before"]["image"]["size"], after["image"]["size"]
    if expect.get("smaller"):
        assert after_size < before_size
    if "DFX001" in applied:  # split: only the binary ships, not the toolchain
        assert after_size < before_size / 2
    if expect.get("declines"):
        report = subprocess.run(
            [sys.executable, "-m", "dockerfix", "--format", "json", "--exit-zero", str(folder)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        skipped = json.loads(report.stdout)["files"][0]["rules_skipped"]
        assert set(expect["declines"]) <= set(skipped), skipped


def test_a_broken_fix_is_a_regression(engine_env: dict[str, str], tmp_path: Path) -> None:
    """verify itself: a 'fixed' image whose entrypoint is gone must be a REGRESSION."""
    import uuid

    from dockerfix.runner import Outcome
    from dockerfix.verify.compare import REGRESSION
    from dockerfix.verify.engines import BuildahEngine, BuildOptions, RunOptions
    from dockerfix.verify.session import Session

    folder = tmp_path / "app"
    shutil.copytree(APPS_DIR / "hello-cli", folder, ignore=shutil.ignore_patterns("*.toml"))
    dockerfile = folder / "Dockerfile"
    old = dockerfile.read_text()
    new = old.replace("CMD greet", 'ENTRYPOINT ["/usr/local/bin/greeter"]')
    saved = dict(os.environ)
    os.environ.update(engine_env)
    try:
        engine = BuildahEngine.find(uuid.uuid4().hex[:12])
        with Session(engine, BuildOptions(), RunOptions(timeout=20)) as session:
            verdict = session.verify(Outcome(str(dockerfile), old, new))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert verdict.status == REGRESSION, verdict
    assert "does not start" in verdict.why


def _golden_contexts() -> list[Path]:
    cases = []
    for context in sorted(GOLDEN.rglob("context")):
        case = context.parent
        if not (case / "input.Dockerfile").is_file() or not any(context.rglob("go.mod")):
            continue
        go_files = list(context.rglob("*.go"))
        if any("package main" in f.read_text(errors="replace") for f in go_files):
            cases.append(case)
    return cases


@pytest.mark.parametrize("case", _golden_contexts(), ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden_case_is_no_regression(
    case: Path, engine_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "context"
    shutil.copytree(case / "context", folder)
    shutil.copy(case / "input.Dockerfile", folder / "Dockerfile")
    args: list[str] = ["--run-timeout", "5"]  # servers without EXPOSE: a short look is enough
    if (case / "options.toml").is_file():
        options = tomllib.loads((case / "options.toml").read_text())
        if "runtime_image" in options:
            args += ["--runtime-image", options["runtime_image"]]
        for key in ("select", "ignore"):
            for value in options.get(key, []):
                args += [f"--{key}", value]
    _code, document, _stderr = verify(folder, engine_env, *args)
    for result in document["files"]:
        assert result["status"] != "REGRESSION", json.dumps(result, indent=1)[:6000]


@pytest.mark.parametrize(
    "case",
    sorted(p for p in (GOLDEN / "monorepos").iterdir() if (p / "repo").is_dir()),
    ids=lambda p: p.name,
)
def test_golden_monorepo_is_no_regression(
    case: Path, engine_env: dict[str, str], tmp_path: Path
) -> None:
    """Every Dockerfile of a golden monorepo, built before and after with the context its
    repository declares (compose, bake, a workflow, a Makefile, a go.work workspace)."""
    folder = tmp_path / case.name
    shutil.copytree(case / "repo", folder)
    _make_git_repository(folder)
    _code, document, _stderr = verify(folder, engine_env, "--run-timeout", "5")
    statuses = {r["path"]: r["status"] for r in document["files"]}
    assert statuses, document
    for result in document["files"]:
        assert result["status"] != "REGRESSION", json.dumps(result, indent=1)[:6000]
    assert "VERIFIED" in statuses.values(), statuses


@pytest.mark.parametrize("name", ["hello-server", "hello-cli"])
def test_the_docker_engine_verifies_too(
    name: str, engine_env: dict[str, str], tmp_path: Path
) -> None:
    """Where a Docker daemon answers (``DOCKER_HOST``), the stand-ins are loaded into it and
    verify runs with ``--engine docker``; elsewhere (CI has none) this skips."""
    if shutil.which("docker") is None:
        pytest.skip("no docker CLI")
    if subprocess.run(["docker", "version"], capture_output=True, check=False).returncode:
        pytest.skip("no Docker daemon answers here")
    dockerfile = (APPS_DIR / name / "Dockerfile").read_text()
    for image in ("gcr.io/distroless/static-debian13:latest", dockerfile.split()[1]):
        archive = tmp_path / "image.tar"
        source = image if "/" in image else f"docker.io/library/{image}"
        subprocess.run(
            ["buildah", "push", "-q", source, f"docker-archive:{archive}:{image}"],
            env=engine_env, check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            ["docker", "load", "-q", "-i", str(archive)], check=True, capture_output=True
        )
        archive.unlink()
    folder = tmp_path / name
    shutil.copytree(APPS_DIR / name, folder, ignore=shutil.ignore_patterns("expect.toml"))
    done = subprocess.run(
        [sys.executable, "-m", "dockerfix", "verify", "--engine", "docker", "--format", "json",
         "--quiet", str(folder)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    (result,) = json.loads(done.stdout)["files"]
    assert result["status"] == "VERIFIED", json.dumps(result, indent=1)[:4000]
    assert result["after"]["run"]["uid"] == 65532
