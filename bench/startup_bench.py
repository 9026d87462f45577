"""Start-up: ``python -X importtime`` and wall time of short runs, optionally before/after.

For ``dockerfix --version``, ``dockerfix --dump SMALL`` and one small file through stdin
(``dockerfix - --stdin-filename SMALL``), in fresh processes, rounds interleaved:

* the import time (sum of the top-level cumulative times ``-X importtime`` reports; the
  median over rounds) and the number of modules imported;
* whether the heavy parts were imported: ``click``, the parser (``dockerfix.grammar``),
  the fixer (``dockerfix.fixer``), ``rich`` and ``lark``;
* the median wall time of the same command without ``-X importtime``;
* the modules with the largest own import time in the stdin run (best of the rounds).

``--repo PATH`` measures another dockerfix source tree as well (e.g. an older commit
unpacked with ``git archive COMMIT | tar -x -C /tmp/before``) and prints both, for a
before/after comparison.

Run: ``python bench/startup_bench.py [--rounds 15] [--repo /tmp/before]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from _bench import REPO, SMALL, bench_env, machine, scratch_dir

HEAVY = {
    "click": "click",
    "parser": "dockerfix.grammar",
    # the rule modules are imported with importlib, which -X importtime does not list
    "fixer": "dockerfix.fixer",
    "rich": "rich",
    "lark": "lark",
}


def commands() -> dict[str, tuple[list[str], bytes | None]]:
    """The measured command lines (after ``python -m dockerfix``) and their stdin."""
    small = str(SMALL.relative_to(REPO))
    return {
        "--version": (["--version"], None),
        f"--dump {small}": (["--dump", small], None),
        f"- --stdin-filename {small}": (["-", "--stdin-filename", small], SMALL.read_bytes()),
    }


def parse_importtime(stderr: str) -> tuple[int, dict[str, int]]:
    """Total import time (µs: top-level cumulative times) and each module's own time."""
    total = 0
    own: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative, name = line[len("import time:") :].split("|", 2)
        module = name.strip()
        own[module] = int(self_us)
        if not name[1:].startswith(" "):  # not indented: imported by the program itself
            total += int(cumulative)
    return total, own


def measure(source: Path | None, rounds: int, scratch: Path) -> dict[str, dict[str, object]]:
    """Per command: median import µs, modules, heavy parts, median wall ms, top own times."""
    env = bench_env(scratch)
    source = source or REPO
    env["PYTHONPATH"] = str(source)  # and run in it: ``-m`` puts the working folder first
    base = [sys.executable, "-m", "dockerfix"]
    cmds = commands()

    def run(argv: list[str], stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            argv, input=stdin or b"", capture_output=True, env=env, cwd=source, check=False
        )

    for args, stdin in cmds.values():  # warm up: bytecode and grammar caches
        for _ in range(2):
            run([*base, *args], stdin)
    imports: dict[str, list[int]] = defaultdict(list)
    walls: dict[str, list[float]] = defaultdict(list)
    modules: dict[str, set[str]] = {}
    best_own: dict[str, dict[str, int]] = defaultdict(dict)
    for _ in range(rounds):
        for label, (args, stdin) in cmds.items():
            done = run([sys.executable, "-X", "importtime", "-m", "dockerfix", *args], stdin)
            total, own = parse_importtime(done.stderr.decode("utf-8", errors="replace"))
            imports[label].append(total)
            modules[label] = set(own)
            for module, us in own.items():
                best_own[label][module] = min(us, best_own[label].get(module, us))
            start = time.perf_counter()
            run([*base, *args], stdin)
            walls[label].append(time.perf_counter() - start)
    out: dict[str, dict[str, object]] = {}
    for label in cmds:
        loaded = modules[label]
        heavy = [
            name
            for name, prefix in HEAVY.items()
            if any(m == prefix or m.startswith(prefix + ".") for m in loaded)
        ]
        top = sorted(best_own[label].items(), key=lambda kv: -kv[1])[:12]
        out[label] = {
            "import_ms": statistics.median(imports[label]) / 1000,
            "modules": len(loaded),
            "heavy": heavy,
            "wall_ms": statistics.median(walls[label]) * 1000,
            "top": top,
        }
    return out


def _row(label: str, tag: str, m: dict[str, object]) -> str:
    heavy = ", ".join(m["heavy"]) if isinstance(m["heavy"], list) and m["heavy"] else "-"
    return (
        f"| `dockerfix {label}` | {tag} | {m['import_ms']:.1f} ms | {m['modules']} | "
        f"{heavy} | {m['wall_ms']:.0f} ms |"
    )


def main() -> None:
    """Measure, print the Markdown tables."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--repo", type=Path, help="another dockerfix source tree ('before')")
    args = ap.parse_args()
    scratch = scratch_dir("dockerfix-bench-startup-")
    try:
        print(f"Machine: {machine()}\n")
        results = {"now": measure(REPO, args.rounds, scratch / "now")}
        if args.repo is not None:
            results["before"] = measure(args.repo.resolve(), args.rounds, scratch / "before")
        print("| command | tree | imports (median) | modules | heavy parts imported | wall |")
        print("| --- | --- | ---: | ---: | --- | ---: |")
        for label in commands():
            for tag in ("before", "now"):
                if tag in results:
                    print(_row(label, tag, results[tag][label]))
        stdin_label = list(commands())[-1]
        for tag, result in results.items():
            print(f"\nLargest own import times, `dockerfix {stdin_label}` ({tag}):\n")
            top = result[stdin_label]["top"]
            assert isinstance(top, list)
            print(", ".join(f"`{name}` {us / 1000:.1f} ms" for name, us in top))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
