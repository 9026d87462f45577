"""Injected faults: failing writes, interrupts, concurrent runs, odd files and folders.

Every test checks the same promises: an original file is never left half-written (it is
byte-identical or fully fixed), no temporary file stays behind, and the failure is
reported as ``FILE[:LINE:COL]: message`` with exit code 2 (130/143 for an interrupt).
Faults that ``chmod`` cannot produce for root are injected by monkeypatching.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dockerfix import files

from .clitools import GO, NON_GO, clean_env, cli, write
from .conftest import corpus_files
from .fuzzing import deadline


def leftovers(root: Path) -> list[Path]:
    """Temporary files dockerfix left under ``root``."""
    return sorted(p for p in root.rglob("*") if p.name.endswith(".dockerfix.tmp"))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def small_tree(tmp_path: Path) -> Path:
    """Three Go Dockerfiles that change and one that does not."""
    root = tmp_path / "tree"
    for name in ("a", "b", "c"):
        write(root / name / "Dockerfile", GO)
    write(root / "web" / "Dockerfile", NON_GO)
    return root


# -- writes that fail half way --------------------------------------------------------------


class _HalfWriter:
    """A file object whose write stores half the data, then fails with ``error``."""

    def __init__(self, handle: Any, error: int) -> None:
        self.handle = handle
        self.error = error

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(self.error, os.strerror(self.error))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def _fail_half_way(monkeypatch: pytest.MonkeyPatch, error: int) -> None:
    real = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return _HalfWriter(real(fd, *args, **kwargs), error)

    monkeypatch.setattr(os, "fdopen", fdopen)


def _raise(error: int) -> Callable[..., Any]:
    def fail(*args: object, **kwargs: object) -> Any:
        raise OSError(error, os.strerror(error))

    return fail


FAULTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "disk full half way through the write": lambda mp: _fail_half_way(mp, errno.ENOSPC),
    "permission denied half way through the write": lambda mp: _fail_half_way(
        mp, errno.EACCES
    ),
    "disk full at fsync": lambda mp: mp.setattr(os, "fsync", _raise(errno.ENOSPC)),
    "rename refused": lambda mp: mp.setattr(os, "replace", _raise(errno.EACCES)),
    "read-only file system": lambda mp: mp.setattr(
        "tempfile.mkstemp", _raise(errno.EROFS)
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_write_failing_half_way_leaves_the_original_intact(
    small_tree: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    before = snapshot(small_tree)
    FAULTS[fault](monkeypatch)
    result = cli(["--write", "--jobs", "1", str(small_tree)])
    monkeypatch.undo()
    assert result.exit_code == 2
    for name in ("a", "b", "c"):
        path = small_tree / name / "Dockerfile"
        assert f"{path}: cannot write: " in result.stderr
    assert snapshot(small_tree) == before  # nothing written, no .dockerignore either
    assert leftovers(small_tree) == []
    assert "Traceback" not in result.stderr


def test_a_dockerignore_failing_half_way_is_not_left_behind(
    small_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.fdopen
    calls = {"n": 0}

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        handle = real(fd, *args, **kwargs)
        # the first write of each file is its Dockerfile; then its .dockerignore fails
        return _HalfWriter(handle, errno.ENOSPC) if calls["n"] % 2 == 0 else handle

    monkeypatch.setattr(os, "fdopen", fdopen)
    result = cli(["--write", "--jobs", "1", str(small_tree)])
    monkeypatch.undo()
    assert result.exit_code == 2
    assert "cannot create: No space left on device" in result.stderr
    for name in ("a", "b", "c"):
        assert "ENTRYPOINT" in (small_tree / name / "Dockerfile").read_text()
        assert not (small_tree / name / ".dockerignore").exists()
    assert leftovers(small_tree) == []


def test_a_read_only_file_is_reported_and_left_alone(small_tree: Path) -> None:
    target = small_tree / "b" / "Dockerfile"
    target.chmod(0o444)
    result = cli(["--write", str(small_tree)])
    assert result.exit_code == 2
    assert f"{target}: read-only file" in result.stderr
    assert target.read_text() == GO
    assert target.stat().st_mode & 0o777 == 0o444
    assert "ENTRYPOINT" in (small_tree / "a" / "Dockerfile").read_text()  # others fixed
    assert leftovers(small_tree) == []


def test_a_file_changed_after_reading_is_not_overwritten(
    small_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockerfix import runner

    target = small_tree / "b" / "Dockerfile"
    real_apply = runner.apply

    def apply(outcome: runner.Outcome) -> None:
        if outcome.path == str(target):
            target.write_text("FROM someone:else\n")
        real_apply(outcome)

    monkeypatch.setattr(runner, "apply", apply)
    result = cli(["--write", str(small_tree)])
    assert result.exit_code == 2
    assert f"{target}: changed on disk while dockerfix was running" in result.stderr
    assert target.read_text() == "FROM someone:else\n"
    assert leftovers(small_tree) == []


def test_a_file_replaced_while_being_written_is_not_overwritten(
    small_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = small_tree / "a" / "Dockerfile"
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        other = target.with_name("other")
        other.write_text("FROM replaced:meanwhile\n")
        os.rename(other, target)  # a new file under the old name, mid-write

    monkeypatch.setattr(os, "fsync", fsync)
    result = cli(["--write", "--jobs", "1", str(target)])
    monkeypatch.undo()
    assert result.exit_code == 2
    assert "changed on disk" in result.stderr
    assert target.read_text() == "FROM replaced:meanwhile\n"
    assert leftovers(small_tree) == []


# -- interrupts and concurrent runs, as real processes ---------------------------------------

N_FILES = 96
Reference = tuple[dict[str, bytes], dict[str, bytes]]


def _go_sources() -> list[bytes]:
    sources = [p.read_bytes() for p in corpus_files("go-real")]
    return sources or [GO.encode()]


def _build(root: Path) -> None:
    sources = _go_sources()
    for i in range(N_FILES):
        write(root / f"svc{i:03d}" / "Dockerfile", sources[i % len(sources)])


def _dockerfix(*args: str) -> list[str]:
    return [sys.executable, "-m", "dockerfix", *args]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The tree before and after a complete ``--write`` (what any file may look like)."""
    root = tmp_path_factory.mktemp("reference")
    _build(root)
    before = snapshot(root)
    done = subprocess.run(
        _dockerfix("--write", "--quiet", "."),
        cwd=root,
        capture_output=True,
        env=clean_env(),
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 2), done.stderr
    after = snapshot(root)
    assert after != before
    return before, after


def _assert_all_old_or_new(
    root: Path, reference: Reference
) -> int:
    """Every file is its old or its new self; returns how many are new."""
    before, after = reference
    now = snapshot(root)
    assert leftovers(root) == []
    assert set(now) <= set(after), sorted(set(now) - set(after))
    new = 0
    for rel, data in now.items():
        allowed = {after[rel]} | ({before[rel]} if rel in before else set())
        assert data in allowed, f"{rel} is neither the old nor the new file"
        new += rel in before and data != before[rel]
    return new


def _wait_for_first_write(root: Path, proc: subprocess.Popen[bytes], limit: float) -> None:
    start = time.monotonic()
    stamps = {p: p.stat().st_mtime_ns for p in root.rglob("Dockerfile")}
    while time.monotonic() - start < limit and proc.poll() is None:
        if any(p.stat().st_mtime_ns != t for p, t in stamps.items() if p.exists()):
            return
        if any(root.rglob(".dockerignore")):
            return
        time.sleep(0.005)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("signum", "when", "repeat"),
    [
        (signal.SIGINT, "mid-write", 1),
        (signal.SIGTERM, "mid-write", 1),
        (signal.SIGTERM, "start", 1),
        (signal.SIGINT, "mid-write", 3),
    ],
    ids=["sigint-mid-write", "sigterm-mid-write", "sigterm-at-start", "sigint-x3"],
)
def test_an_interrupted_write_leaves_every_file_old_or_new(
    tmp_path: Path,
    reference: Reference,
    signum: int,
    when: str,
    repeat: int,
) -> None:
    root = tmp_path / "tree"
    _build(root)
    proc = subprocess.Popen(
        _dockerfix("--write", "--jobs", "2", "."),
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    try:
        if when == "start":
            time.sleep(0.15)
        else:
            _wait_for_first_write(root, proc, 60)
        for _ in range(repeat):
            if proc.poll() is None:
                proc.send_signal(signum)
            time.sleep(0.01)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test fails
            proc.kill()
            proc.wait()
    text = err.decode("utf-8", errors="replace")
    assert "Traceback" not in text, text
    if proc.returncode == 0:  # it finished before the signal came
        _assert_all_old_or_new(root, reference)
        return
    assert proc.returncode in (128 + signum, -signum), (proc.returncode, text)
    if proc.returncode == 128 + signum:
        word = "interrupted" if signum == signal.SIGINT else "terminated"
        assert f"dockerfix: {word}" in text
    _assert_all_old_or_new(root, reference)


def test_two_write_runs_on_one_tree_corrupt_nothing(
    tmp_path: Path, reference: Reference
) -> None:
    root = tmp_path / "tree"
    _build(root)
    procs = [
        subprocess.Popen(
            _dockerfix("--write", "--quiet", "--jobs", "2", "."),
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=clean_env(),
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        text = err.decode("utf-8", errors="replace")
        assert proc.returncode in (0, 2), text
        # the only complaint allowed: the other run fixed the file first
        for line in text.splitlines():
            assert "changed on disk while dockerfix was running" in line, line
    _before, after = reference
    assert _assert_all_old_or_new(root, reference) > 0
    assert snapshot(root) == after  # between them, the two runs fixed everything


# -- odd files and folders -----------------------------------------------------------------


def test_symlink_loops_are_named_and_never_followed(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root / "app" / "Dockerfile", GO)
    (root / "app" / "loop").symlink_to(root, target_is_directory=True)
    (root / "self").symlink_to(root / "self")
    with deadline(60):
        found = cli(["--check", str(root)])
        named = cli(["--check", str(root / "self")])
    assert found.exit_code == 1
    assert found.stdout.count("Would fix") == 1
    assert named.exit_code == 2
    assert f"{root / 'self'}: symbolic link loop" in named.stderr


def test_an_unreadable_folder_is_reported_and_the_rest_processed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "tree"
    write(root / "ok" / "Dockerfile", GO)
    write(root / "secret" / "Dockerfile", GO)
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path).endswith("secret"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cli(["--check", str(root)])
    assert result.exit_code == 2
    assert f"{root / 'secret'}: cannot list folder: Permission denied" in result.stderr
    assert f"Would fix: {root / 'ok' / 'Dockerfile'}" in result.stdout


def test_an_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "Dockerfile", GO)
    real = os.open

    def deny(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(file) == str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    result = cli(["--write", str(path)])
    assert result.exit_code == 2
    assert f"{path}: permission denied" in result.stderr
    assert path.read_text() == GO


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"FROM golang:1.23\nRUN go build \x00\x01\n", ":2:14: binary file (contains NUL"),
        (b"\x7fELF\x02\x01\x01\x00", ":1:8: binary file"),
        (b"FROM golang:1.23\nLABEL x=\xe9t\xe9\n", ":2:9: cannot decode as UTF-8 (byte 0xe9)"),
        ("FROM golang\n".encode("utf-16"), ":1:1: UTF-16 encoded"),
    ],
    ids=["nul", "elf", "latin-1", "utf-16"],
)
def test_binary_and_non_utf8_files_get_a_located_message(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = write(tmp_path / "Dockerfile", data)
    result = cli(["--write", str(path)])
    assert result.exit_code == 2
    assert f"{path}{message}" in result.stderr
    assert path.read_bytes() == data
    piped = cli(["-", "--stdin-filename", "Dockerfile"], input=data)
    assert piped.exit_code == 2
    assert piped.stdout == ""
    assert f"Dockerfile{message}" in piped.stderr


def test_files_of_several_megabytes_are_refused_quickly(tmp_path: Path) -> None:
    big = GO + "RUN echo padding \\\n" + "    more words here \\\n" * 150_000 + "    end\n"
    path = write(tmp_path / "big" / "Dockerfile", big)
    assert path.stat().st_size > 3_000_000
    with deadline(30):
        result = cli(["--write", str(tmp_path)])
        piped = cli(["-"], input=big.encode())
    assert result.exit_code == 2
    assert f"{path}: too large: 3." in result.stderr
    assert "dockerfix handles Dockerfiles up to 1.0 MiB" in result.stderr
    assert path.read_text() == big
    assert piped.exit_code == 2
    assert piped.stdout == ""
    assert "-: too large: more than 1.0 MiB" in piped.stderr


def test_a_large_file_within_the_limit_is_fixed(tmp_path: Path) -> None:
    body = "RUN echo padding \\\n" + "    more words here \\\n" * 3_000 + "    end\n"
    text = GO.replace("RUN go build", body + "RUN go build")
    path = write(tmp_path / "Dockerfile", text)
    assert 60_000 < path.stat().st_size < files.MAX_BYTES
    with deadline(120):
        result = cli(["--write", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "ENTRYPOINT" in path.read_text()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_like_a_dockerfile_is_an_error_not_a_hang(tmp_path: Path) -> None:
    write(tmp_path / "ok" / "Dockerfile", GO)
    os.mkfifo(tmp_path / "Dockerfile")
    with deadline(30):
        result = cli(["--check", str(tmp_path)])
        dump = cli(["--dump", "/dev/zero"])
    assert result.exit_code == 2
    assert f"{tmp_path / 'Dockerfile'}: not a regular file" in result.stderr
    assert "Would fix" in result.stdout
    assert dump.exit_code == 2
    assert "/dev/zero: not a regular file" in dump.stderr




def test_signal_handling_outside_the_main_thread_is_a_no_op() -> None:
    import signal
    import threading

    from dockerfix.files import handle_signals

    before = signal.getsignal(signal.SIGINT)
    ran: list[bool] = []

    def body() -> None:
        with handle_signals():
            ran.append(True)

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    assert ran == [True]
    assert signal.getsignal(signal.SIGINT) is before
    with handle_signals():  # on the main thread the handler is installed, then restored
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before


def test_a_signal_whose_exception_was_lost_still_stops_the_run() -> None:
    """A SIGTERM landing in a fork handler (the pool starting its workers) raises where
    Python only prints the exception; the run's loop raises it again between files."""
    import signal

    from dockerfix import files

    with files.handle_signals():
        # what the handler does, and the exception lost, as in a fork handler
        with contextlib.suppress(files.Interrupted):
            files._on_signal(signal.SIGTERM, None)
        with pytest.raises(files.Interrupted) as caught:
            files.check_interrupted()
        assert caught.value.signum == signal.SIGTERM
    files.check_interrupted()  # outside the run: nothing pending
