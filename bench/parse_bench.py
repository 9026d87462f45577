"""Parser benchmark: throughput over the corpus against the peers, and cold start-up.

Measures, in one run and interleaved (so load on the machine hits all alike):

* parse throughput (MB/s) over every Dockerfile of the corpus for dockerfix, the
  pure-Python ``dockerfile-parse`` and the official BuildKit parser (PyPI ``dockerfile``);
* the wall time of a fresh process that imports dockerfix and parses one small file,
  and of a fresh ``dockerfix --dump`` of it, next to a bare ``python -c pass``.

Run: ``python bench/parse_bench.py [--corpus ../shared/corpus] [--rounds 7]``.
Prints a Markdown table (medians, ratios) for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SKIP = {"MANIFEST.tsv", "README.md", "SOURCE.md", "result", "expected.json"}
REJECTED = {
    "shykes-nested-json",
    "env_no_value",
    "line-too-long",
    "empty_dockerfile",
    "only_comments",
}


def corpus_texts(root: Path) -> list[tuple[Path, str]]:
    """Every Dockerfile of the corpus that BuildKit accepts, decoded."""
    out = []
    for p in sorted(root.rglob("*")):
        if (
            p.is_file()
            and p.name not in SKIP
            and "LICENSES" not in p.parts
            and not p.name.startswith("LICENSE")
            and "results-at-v0.12.5" not in p.parts
            and p.parent.name not in REJECTED
        ):
            out.append((p, p.read_bytes().decode("utf-8")))
    return out


def parsers() -> dict[str, Callable[[str], object]]:
    """The parsers under test, each a function of the file text."""
    import dockerfile
    from dockerfile_parse import DockerfileParser

    import dockerfix

    def dockerfile_parse(text: str) -> object:
        p = DockerfileParser(fileobj=io.BytesIO(text.encode()))
        return p.structure

    return {
        "dockerfix": dockerfix.parse,
        "dockerfile-parse (pure Python)": dockerfile_parse,
        "dockerfile (official BuildKit, Go)": dockerfile.parse_string,
    }


def throughput(texts: list[str], rounds: int) -> dict[str, float]:
    """Median MB/s per parser, rounds interleaved."""
    size = sum(len(t.encode()) for t in texts)
    funcs = parsers()
    for f in funcs.values():  # warm up (builds and caches dockerfix's grammar)
        for t in texts:
            f(t)
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, f in funcs.items():
            start = time.perf_counter()
            for t in texts:
                f(t)
            times[name].append(time.perf_counter() - start)
    return {name: size / statistics.median(ts) / 1e6 for name, ts in times.items()}


def cold_start(small: Path, rounds: int) -> dict[str, float]:
    """Median wall time (ms) of fresh processes."""
    py = sys.executable
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "import dockerfix + parse(small file)": [
            py,
            "-c",
            f"import dockerfix; dockerfix.parse(open({str(small)!r}).read())",
        ],
        "dockerfix --dump small file": [py, "-m", "dockerfix", "--dump", str(small)],
    }
    for cmd in commands.values():  # warm the OS cache and dockerfix's grammar cache
        subprocess.run(cmd, capture_output=True, check=False)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False, cwd=REPO)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) * 1000 for name, ts in times.items()}


def main() -> None:
    """Run both measurements and print the Markdown report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    files = corpus_texts(args.corpus)
    texts = [t for _, t in files]
    size = sum(len(t.encode()) for t in texts)
    print(f"corpus: {len(texts)} files, {size / 1e3:.0f} kB; {args.rounds} interleaved rounds\n")
    tp = throughput(texts, args.rounds)
    base = tp["dockerfix"]
    print("| parser | MB/s (median) | dockerfix / this |")
    print("| --- | ---: | ---: |")
    for name, mbs in tp.items():
        print(f"| {name} | {mbs:.2f} | {base / mbs:.2f}x |")
    small = REPO / "examples" / "hello-go" / "Dockerfile"
    cs = cold_start(small, args.rounds * 3)
    print(f"\nfresh process on {small.relative_to(REPO)} ({small.stat().st_size} bytes):\n")
    print("| command | wall ms (median) |")
    print("| --- | ---: |")
    for name, ms in cs.items():
        print(f"| `{name}` | {ms:.0f} |")


if __name__ == "__main__":
    main()
