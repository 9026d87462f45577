"""Peak memory of bulk runs on 10,000 files: --check, --diff, --format json, --write.

The corpus's real-world Dockerfiles are copied into a temporary folder until there are
``--files`` of them (default 10,000), and each command runs once in a fresh process
tree. Reported per command:

* **largest process**: the peak resident set size of the biggest single process of the run
  (the parent or a worker), from ``getrusage(RUSAGE_CHILDREN)`` of a small wrapper process
  that runs only that command;
* **whole tree**: the peak of the summed proportional set sizes (PSS: a page shared by
  the forked workers counts once) of dockerfix and all its worker processes, sampled every
  20 ms from ``/proc`` (Linux only).

Goal (issue 5): under 100 MB on 10,000 files — results are streamed, not held.

Run: ``python bench/memory_bench.py [--corpus ../shared/corpus] [--files 10000]
[--repo PATH]`` (``--repo``: measure the dockerfix source tree at PATH instead of the
installed one, e.g. a ``git worktree`` of an older commit).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _bench import (
    DEFAULT_CORPUS,
    bench_env,
    corpus_dockerfiles,
    dockerfix_command,
    machine,
    replicate,
    scratch_dir,
    total_bytes,
)

WRAPPER = """\
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(done.returncode, peak * (1 if sys.platform == "darwin" else 1024))
"""


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _pss(pid: int) -> int:
    """Proportional set size: pages shared by the forked workers are counted once."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1]) * 1024
        except OSError:
            continue
    return 0


def _tree_rss(root: int) -> int:
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss(pid)
        todo.extend(_children(pid))
    return total


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[int, int, int, float]:
    """Exit code, largest-process RSS peak, whole-tree PSS peak (bytes) and wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, *cmd],
        stdout=subprocess.PIPE,
        env=env,
        cwd=cwd,
        text=True,
    )
    tree_peak = 0
    sampling = os.path.isdir("/proc/self/task")
    while proc.poll() is None:
        if sampling:
            # the wrapper's own few MB are left out: only dockerfix and its workers count
            tree_peak = max(tree_peak, sum(_tree_rss(c) for c in _children(proc.pid)))
        time.sleep(0.02)
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    code, peak = (int(x) for x in out.split())
    return code, peak, tree_peak, wall


def main() -> None:
    """Replicate the corpus, run each command, print the Markdown table."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=None, help="--jobs for dockerfix (default: CPUs)")
    ap.add_argument("--repo", type=Path, help="a dockerfix source tree to measure instead")
    args = ap.parse_args()
    scratch = scratch_dir("dockerfix-bench-memory-")
    try:
        tree = scratch / "tree"
        files = replicate(corpus_dockerfiles(args.corpus), tree, args.files)
        size = total_bytes(files)
        env = bench_env(scratch)
        dfx = dockerfix_command()
        if args.repo is not None:
            env["PYTHONPATH"] = str(args.repo.resolve())
            dfx = [sys.executable, "-m", "dockerfix"]
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        subprocess.run([*dfx, "--version"], env=env, capture_output=True, check=False)
        runs = {
            "dockerfix --check DIR": [*dfx, "--check", *jobs, str(tree)],
            "dockerfix --diff DIR": [*dfx, "--diff", *jobs, str(tree)],
            "dockerfix --format json DIR": [*dfx, "--format", "json", *jobs, str(tree)],
            "dockerfix --write DIR": [*dfx, "--write", *jobs, str(tree)],
        }
        print(f"Machine: {machine()}\n")
        where = f" (source: {args.repo})" if args.repo else ""
        print(f"### Peak memory: {len(files)} files ({size / 1e6:.1f} MB){where}\n")
        print("| command | exit | largest process (RSS) | whole tree (PSS) | wall |")
        print("| --- | ---: | ---: | ---: | ---: |")
        worst = 0
        for label, cmd in runs.items():
            code, peak, tree_peak, wall = measure(cmd, env, scratch)
            worst = max(worst, peak, tree_peak)
            print(
                f"| `{label}` | {code} | {peak / 1e6:.1f} MB | {tree_peak / 1e6:.1f} MB | "
                f"{wall:.1f} s |",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    held = worst < 100e6
    print(f"\nGoal < 100 MB: worst {worst / 1e6:.1f} MB — {'held' if held else 'MISSED'}")
    sys.exit(0 if held else 1)


if __name__ == "__main__":
    main()
