"""Cost against input size: parse and fix time per MB on generated Dockerfiles.

Inputs (generated, deterministic):

* **instructions**: a single-stage Go build padded with a block of four instructions
  (a continued RUN with a comment, ENV, COPY) repeated to 1 kB, 10 kB, 100 kB, 1 MB, 10 MB;
* **long line**: one RUN line of words, 60,000 characters (BuildKit's limit is 65,535
  bytes per line), and one of 100,000 characters, which BuildKit — and dockerfix —
  reject: the time to reject it is measured;
* **continuation**: one RUN continued over 1,000 / 10,000 / 100,000 lines.

Each case runs in a fresh process (a hang is cut off at ``--timeout`` seconds and shown as
such); parse times are the best of several repeats for inputs under 1 MB. Time per MB
that stays flat is linear cost. Fixing the instruction files is capped at ``--fix-max-kb``
(default 100) to keep the run short: fixing costs ~50-65 s/MB, so ``--fix-max-kb 1024``
adds about a minute for the 1 MB file (see docs/PERFORMANCE.md).

Run: ``python bench/scaling_bench.py [--timeout 600] [--fix-max-kb 100]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

from _bench import REPO, bench_env, machine, scratch_dir

CHILD = r"""
import json, sys, time
kind, size, do_fix = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
import dockerfix
from dockerfix.errors import ParseError

HEAD = "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\n"
BLOCK = "RUN echo hello world && \\\n    go version # comment\nENV A=1 B=2\nCOPY a b\n"
TAIL = "RUN go build -o /app .\nCMD /app\n"

def make(kind, size):
    if kind == "instructions":
        n = max(1, (size - len(HEAD) - len(TAIL)) // len(BLOCK))
        return HEAD + BLOCK * n + TAIL
    if kind == "line":
        words = "go vet " * (size // 7 + 1)
        return "FROM golang:1.23\nRUN " + words[: size - 4] + "\n" + TAIL
    if kind == "continuation":
        return "FROM golang:1.23\nRUN echo \\\n" + "    word \\\n" * size + "    end\n" + TAIL
    raise SystemExit(kind)

text = make(kind, size)
dockerfix.parse("FROM scratch\n")  # load the grammar tables
repeats = 5 if len(text) < 1_000_000 else 1
best, error = float("inf"), None
for _ in range(repeats):
    start = time.perf_counter()
    try:
        dockerfix.parse(text)
    except ParseError as exc:
        error = str(exc)[:80]
    best = min(best, time.perf_counter() - start)
fix = None
if do_fix and error is None:
    dockerfix.fix(make(kind, 2_000), None)  # warm up: the fixer's imports and caches
    start = time.perf_counter()
    dockerfix.fix(text, None)
    fix = time.perf_counter() - start
print(json.dumps({"bytes": len(text.encode()), "parse": best, "fix": fix, "error": error}))
"""

CASES = [
    ("instructions", 1_000),
    ("instructions", 10_000),
    ("instructions", 100_000),
    ("instructions", 1_000_000),
    ("instructions", 10_000_000),
    ("line", 60_000),
    ("line", 100_000),
    ("continuation", 1_000),
    ("continuation", 10_000),
    ("continuation", 100_000),
]


LABELS = {"instructions": "instructions", "line": "one line", "continuation": "continued RUN"}


def run_case(
    kind: str, size: int, fix: bool, timeout: float, env: dict[str, str]
) -> dict[str, object]:
    """The measurements of one case in a fresh process (``timeout`` if it ran too long)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(size), "1" if fix else "0"],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _per_mb(seconds: object, size: object) -> str:
    if not isinstance(seconds, float) or not isinstance(size, int):
        return "-"
    return f"{seconds / (size / 1e6):.2f} s/MB ({seconds:.3f} s)"


def main() -> None:
    """Run every case, print the Markdown table."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--timeout", type=float, default=600, help="seconds per case")
    ap.add_argument("--fix-max-kb", type=int, default=100, help="largest input fixed (kB)")
    args = ap.parse_args()
    scratch = scratch_dir("dockerfix-bench-scaling-")
    env = bench_env(scratch)
    env["PYTHONPATH"] = str(REPO)
    try:
        print(f"Machine: {machine()}\n")
        print("| input | size | parse | fix |")
        print("| --- | ---: | ---: | ---: |")
        for kind, size in CASES:
            fix = size <= args.fix_max_kb * 1024 or kind != "instructions"
            result = run_case(kind, size, fix, args.timeout, env)
            label = LABELS[kind]
            shown = f"{size:,} lines" if kind == "continuation" else f"{size / 1000:,.0f} kB"
            if kind == "line":
                shown = f"{size:,} characters"
            if result.get("timeout"):
                print(f"| {label} | {shown} | timeout ({args.timeout:.0f} s) | - |", flush=True)
                continue
            if result.get("failed"):
                print(f"| {label} | {shown} | failed: {result['failed']} | - |", flush=True)
                continue
            parse = _per_mb(result["parse"], result["bytes"])
            if result.get("error"):
                parse = f"rejected in {result['parse']:.4f} s: {result['error']}"
            fixed = _per_mb(result.get("fix"), result["bytes"]) if fix else "not run (--fix-max-kb)"
            print(f"| {label} | {shown} | {parse} | {fixed} |", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
