"""Start-up: each kind of run imports only what it needs; the grammar cache never fails a run.

Checked in fresh interpreters (what an editor pays on every save): ``--version`` imports
neither the parser nor the fixer; ``--dump`` the parser but no fixer rule; no run
imports ``rich`` unless it draws on a terminal, nor ``lark`` once the grammar tables are
cached. Timings are in bench/startup_bench.py and docs/PERFORMANCE.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dockerfix import __version__

from .clitools import GO, clean_env

SCRIPT = """
import atexit, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
if len(sys.argv) > 2:
    from dockerfix.cli import run
    run(sys.argv[2:])
"""


def modules_of(
    args: list[str], tmp_path: Path, cache: Path, stdin: bytes = b""
) -> tuple[int, set[str], str]:
    """Exit code, imported modules and stderr of ``dockerfix ARGS`` in a fresh interpreter."""
    report = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(report), *args],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,
        env=clean_env(DOCKERFIX_CACHE_DIR=str(cache)),
        timeout=120,
        check=False,
    )
    return done.returncode, set(report.read_text().split()), done.stderr.decode()


def _loaded(modules: set[str], *prefixes: str) -> list[str]:
    below = tuple(p + "." for p in prefixes)
    return sorted(m for m in modules if m in prefixes or m.startswith(below))


@pytest.fixture
def warm_cache(tmp_path: Path) -> Path:
    """A grammar cache already filled by one run."""
    cache = tmp_path / "cache"
    (tmp_path / "Dockerfile").write_text(GO)
    modules_of(["--dump", "Dockerfile"], tmp_path, cache)
    assert list(cache.glob(f"{__version__}/lalr-*.marshal"))
    return cache


RULES = ("dockerfix.fixer",)
HEAVY = ("rich", "lark")


def test_version_imports_no_parser_no_fixer(tmp_path: Path, warm_cache: Path) -> None:
    code, modules, _ = modules_of(["--version"], tmp_path, warm_cache)
    assert code == 0
    assert _loaded(modules, *RULES, *HEAVY, "dockerfix.grammar", "dockerfix.cst") == []
    assert _loaded(modules, "dockerfix.runner", "dockerfix.cli.report", "pathspec", "tomllib") == []
    assert "click" not in modules


def test_version_without_click_says_what_click_says() -> None:
    from click.testing import CliRunner

    from dockerfix.cli.command import main

    expected = CliRunner().invoke(main, ["--version"]).output.encode()
    for flag in ("--version", "-V"):
        done = subprocess.run(
            [sys.executable, "-m", "dockerfix", flag], capture_output=True, check=True
        )
        assert (done.stdout, done.stderr) == (expected, b"")


def test_help_still_names_the_default_runtime_image(tmp_path: Path, warm_cache: Path) -> None:
    from dockerfix.fixer.base import DEFAULT_RUNTIME_IMAGE

    done = subprocess.run(
        [sys.executable, "-m", "dockerfix", "--help"],
        capture_output=True,
        text=True,
        env=clean_env(DOCKERFIX_CACHE_DIR=str(warm_cache)),
        check=True,
    )
    assert f"[default: {DEFAULT_RUNTIME_IMAGE}]" in " ".join(done.stdout.split())


def test_dump_imports_the_parser_but_no_rule(tmp_path: Path, warm_cache: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GO)
    code, modules, _ = modules_of(["--dump", "Dockerfile"], tmp_path, warm_cache)
    assert code == 0
    assert "dockerfix.grammar.parser" in modules
    assert _loaded(modules, *RULES, *HEAVY, "dockerfix.cli.report", "pathspec") == []


def test_stdin_fix_imports_no_rich_and_no_lark(tmp_path: Path, warm_cache: Path) -> None:
    code, modules, _ = modules_of(
        ["-", "--stdin-filename", "Dockerfile"], tmp_path, warm_cache, GO.encode()
    )
    assert code == 0
    assert "dockerfix.fixer.rules" in modules
    assert _loaded(modules, *HEAVY, "click", "dockerfix.cli.terminal", "dockerfix.discovery") == []
    assert _loaded(modules, "dockerfix.verify", "dockerfix.server", "dockerfix.cli.verify") == []
    # each costs milliseconds an editor pays on every save: dataclasses (~1 ms per class,
    # and it imports inspect), typing (~3 ms; records are dockerfix.record.Record, not
    # NamedTuple), pkgutil (imports inspect), pickle, json, pathlib (with urllib.parse);
    # the interpreter's own start (an editable install's hook imports
    # pathlib) is not dockerfix's doing
    _, baseline, _ = modules_of([], tmp_path, warm_cache)
    slow = (
        "dataclasses",
        "typing",
        "inspect",
        "pkgutil",
        "pickle",
        "json",
        "pathlib",
        "tomllib",
        "threading",
        "signal",  # nothing to protect: no file is written
        "importlib",  # rules are imported with __import__: importlib imports warnings
        "warnings",
    )
    assert _loaded(modules - baseline, *slow) == []
    assert [m for m in modules if m.startswith("dockerfix.fixer.rules.dfx1")] == []  # opt-in


def test_stdin_fix_in_a_configured_project_parses_no_toml_once_cached(
    tmp_path: Path, warm_cache: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dockerfix]\nignore = ["DFX007"]\n')
    args = ["-", "--stdin-filename", "Dockerfile"]
    code, modules, _ = modules_of(args, tmp_path, warm_cache, GO.encode())
    assert code == 0
    assert "tomllib" in modules or "tomli" in modules  # the first run reads the file
    code, modules, _ = modules_of(args, tmp_path, warm_cache, GO.encode())
    assert code == 0
    assert _loaded(modules, "tomllib", "tomli") == []


def test_bulk_check_without_a_terminal_imports_no_rich(tmp_path: Path, warm_cache: Path) -> None:
    for i in range(20):
        (tmp_path / f"s{i}").mkdir()
        (tmp_path / f"s{i}" / "Dockerfile").write_text(GO)
    code, modules, _ = modules_of(["--check", "."], tmp_path, warm_cache)
    assert code == 1
    assert _loaded(modules, *HEAVY) == []
    assert _loaded(modules, "dockerfix.verify", "dockerfix.server", "dockerfix.cli.verify") == []


# -- the grammar cache under the command line ----------------------------------------------


def _fix_via_cli(tmp_path: Path, cache: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dockerfix", "-", "--stdin-filename", "Dockerfile"],
        input=GO.encode(),
        capture_output=True,
        cwd=tmp_path,
        env=clean_env(DOCKERFIX_CACHE_DIR=str(cache)),
        timeout=120,
        check=False,
    )


def test_missing_cache_dir_is_created_per_version(tmp_path: Path) -> None:
    cache = tmp_path / "does" / "not" / "exist"
    done = _fix_via_cli(tmp_path, cache)
    assert done.returncode == 0, done.stderr
    assert b"ENTRYPOINT" in done.stdout
    (table,) = cache.glob(f"{__version__}/lalr-*.marshal")
    assert table.stat().st_size > 1000


def test_unwritable_cache_dir_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = _fix_via_cli(tmp_path, blocker / "cache")  # cannot be created, as root too
    assert done.returncode == 0, done.stderr
    assert all(b" caveat: " in line for line in done.stderr.splitlines())  # no error
    assert b"ENTRYPOINT" in done.stdout
    for args in (["--dump", "-"], ["--check", "-"]):
        again = subprocess.run(
            [sys.executable, "-m", "dockerfix", *args],
            input=GO.encode(),
            capture_output=True,
            cwd=tmp_path,
            env=clean_env(DOCKERFIX_CACHE_DIR=str(blocker / "cache")),
            timeout=120,
            check=False,
        )
        assert again.returncode in (0, 1), again.stderr
        assert b"Traceback" not in again.stderr


def test_read_only_cache_file_and_corrupt_cache_are_not_errors(
    tmp_path: Path, warm_cache: Path
) -> None:
    (table,) = warm_cache.glob(f"{__version__}/lalr-*.marshal")
    table.chmod(0o444)
    assert _fix_via_cli(tmp_path, warm_cache).returncode == 0
    table.chmod(0o644)
    table.write_bytes(b"\x80\x05garbage")
    done = _fix_via_cli(tmp_path, warm_cache)
    assert done.returncode == 0, done.stderr
    assert all(b" caveat: " in line for line in done.stderr.splitlines())  # no error
    assert b"ENTRYPOINT" in done.stdout


# -- the stdin fast path (no click) behaves exactly like the click command -----------------

CLICK = (
    "import sys; from dockerfix.cli.command import main; main(sys.argv[1:], prog_name='dockerfix')"
)


@pytest.mark.parametrize(
    "args",
    [
        ["-", "--stdin-filename", "app/Dockerfile"],
        ["--stdin-filename=app/Dockerfile", "-"],
        ["-"],
    ],
)
@pytest.mark.parametrize(
    "data",
    [GO.encode(), b"FROM golang\nRUN <<EOF\n", b"\x7fELF\x00"],
    ids=["go", "broken", "binary"],
)
def test_fast_stdin_path_equals_the_click_command(
    tmp_path: Path, args: list[str], data: bytes
) -> None:
    (tmp_path / "app").mkdir()
    runs = [
        subprocess.run(
            [sys.executable, *prefix, *args],
            input=data,
            capture_output=True,
            cwd=tmp_path,
            env=clean_env(),
            timeout=120,
            check=False,
        )
        for prefix in (["-m", "dockerfix"], ["-c", CLICK])
    ]
    fast, slow = runs
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )


def test_other_arguments_still_go_through_click(tmp_path: Path) -> None:
    from dockerfix.cli import _plain_stdin

    assert _plain_stdin(["-", "--stdin-filename", "x"]) == ("x",)
    assert _plain_stdin(["--stdin-filename", "x"]) == ("x",)
    for argv in (
        [],
        ["."],
        ["-", "-"],
        ["-", "--diff"],
        ["-", "--stdin-filename"],
        ["-", "--stdin-filename", "--diff"],
        ["-", "--stdin-filename", "a", "--stdin-filename", "b"],
        ["--", "-"],
        ["-", "--quiet"],
    ):
        assert _plain_stdin(argv) is None, argv
