"""Reading and writing files faithfully, patch-applicable diffs, configuration files."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dockerfix import files
from dockerfix.cli import diff
from dockerfix.config import Config, ConfigError, ConfigFinder, load
from tests.clitools import write

# -- files -----------------------------------------------------------------------------------


def test_decode_keeps_every_byte() -> None:
    data = "\ufeffFROM a\r\nRUN x\rstill\n".encode()
    assert files.encode(files.decode(data)) == data


@pytest.mark.parametrize(
    ("data", "message", "line", "column"),
    [
        (b"FROM a\nRUN \x00x\n", "binary file", 2, 5),
        (b"FROM a\nLABEL \xc3\xa9=\xff\n", "cannot decode as UTF-8 (byte 0xff)", 2, 9),
        (b"\xff\xfeF\x00R\x00", "UTF-16 encoded", 1, 1),
    ],
)
def test_decode_errors_are_located(data: bytes, message: str, line: int, column: int) -> None:
    with pytest.raises(files.FileError) as caught:
        files.decode(data)
    assert message in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.located("F").startswith(f"F:{line}:{column}: ")


@pytest.mark.parametrize(
    ("original", "new", "expected"),
    [
        ("\ufeffA\n", "B\n", "\ufeffB\n"),
        ("A\r\nB\r\n", "A\r\nX\nB\r\n", "A\r\nX\r\nB\r\n"),
        ("A\r\nB\n", "A\nX\n", "A\nX\n"),  # mixed: left alone
        ("A\n", "B\n", "B\n"),
    ],
)
def test_keep_habits(original: str, new: str, expected: str) -> None:
    assert files.keep_habits(original, new) == expected


def test_write_atomic_keeps_mode_and_follows_links(tmp_path: Path) -> None:
    target = write(tmp_path / "Dockerfile", "old\n", mode=0o640)
    link = tmp_path / "link"
    link.symlink_to(target)
    source = files.read_source(str(link))
    assert files.write_atomic(str(link), "new\n", source.digest) is True
    assert link.is_symlink()
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o7777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "link"]


def test_write_atomic_does_not_touch_equal_content(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", "same\n")
    before = path.stat().st_mtime_ns
    assert files.write_atomic(str(path), "same\n") is False
    assert path.stat().st_mtime_ns == before


def test_write_atomic_refuses_a_file_changed_meanwhile(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", "v1\n")
    source = files.read_source(str(path))
    path.write_text("v2 by someone else\n")
    with pytest.raises(files.FileError, match="changed on disk"):
        files.write_atomic(str(path), "fixed\n", source.digest)
    assert path.read_text() == "v2 by someone else\n"


def test_write_atomic_in_a_read_only_folder_is_an_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes everywhere")
    path = write(tmp_path / "ro" / "Dockerfile", "old\n")
    (tmp_path / "ro").chmod(0o555)
    try:
        with pytest.raises(files.FileError, match="cannot write"):
            files.write_atomic(str(path), "new\n")
        assert path.read_text() == "old\n"
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_create_new_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / ".dockerignore"
    assert files.create_new(str(path), ".git\n") is True
    assert files.create_new(str(path), "other\n") is False
    assert path.read_text() == ".git\n"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    assert files.create_new(str(dangling), "x") is False
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(
    ("relative", "ok"),
    [
        (".dockerignore", True),
        ("sub/.dockerignore", True),
        ("../x", False),
        ("/etc/x", False),
        ("a/../../x", False),
        ("", False),
    ],
)
def test_safe_relative(relative: str, ok: bool) -> None:
    assert files.safe_relative(relative) is ok


# -- diff ------------------------------------------------------------------------------------


def test_diff_marks_missing_final_newlines() -> None:
    patch = diff.unified_diff("a\nb", "a\nc", "a/F", "b/F")
    assert patch == "--- a/F\n+++ b/F\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n" + (
        "+c\n\\ No newline at end of file\n"
    )


def test_diff_of_equal_texts_is_empty() -> None:
    assert diff.unified_diff("x\n", "x\n", "a", "b") == ""


def test_split_lines_only_on_newline() -> None:
    assert diff.split_lines("a\r\nb\rc\nd") == ["a\r\n", "b\rc\n", "d"]
    assert diff.split_lines("") == []


def test_colorize_keeps_the_text() -> None:
    patch = diff.unified_diff("a\n", "b\n", "a/F", "b/F")
    coloured = diff.colorize(patch)
    assert "\033[31m-a\033[0m\n" in coloured
    assert "\033[32m+b\033[0m\n" in coloured
    assert "\033[1m--- a/F\033[0m\n" in coloured
    assert __import__("re").sub(r"\033\[\d+m", "", coloured) == patch


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb", "a\nb\n"),
        ("a\nb\n", "a\nb"),
        ("\ufeffa\r\nb\r\n", "\ufeffa\r\nx\r\nb\r\n"),
        ("", "new\n"),
        ("x\n" * 20 + "y\n", "x\n" * 20 + "z\n"),
    ],
)
def test_diffs_apply_with_patch(tmp_path: Path, old: str, new: str) -> None:
    write(tmp_path / "F", old)
    patch = diff.unified_diff(old, new, "a/F", "b/F")
    subprocess.run(["patch", "-p1", "--quiet"], cwd=tmp_path, input=patch.encode(), check=True)
    assert (tmp_path / "F").read_bytes() == new.encode()


def test_new_file_diff_creates_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    patch = diff.new_file_diff(".git\n", "sub/.dockerignore")
    assert patch.startswith("--- /dev/null\n+++ b/sub/.dockerignore\n@@ -0,0 +1 @@\n")
    (tmp_path / "sub").mkdir()
    subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=patch.encode(), check=True)
    assert (tmp_path / "sub" / ".dockerignore").read_text() == ".git\n"


# -- config ----------------------------------------------------------------------------------


def test_load_both_kinds(tmp_path: Path) -> None:
    dotfile = write(
        tmp_path / ".dockerfix.toml",
        'select = "DFX001, DFX002"\nruntime-image = "scratch"\nexclude = ["legacy/"]\n',
    )
    assert load(str(dotfile)) == Config(
        path=str(dotfile),
        select=("DFX001", "DFX002"),
        runtime_image="scratch",
        exclude=("legacy/",),
    )
    pyproject = write(tmp_path / "pyproject.toml", '[tool.dockerfix]\nignore = ["DFX007"]\n')
    assert load(str(pyproject)) == Config(path=str(pyproject), ignore=("DFX007",))
    plain = write(tmp_path / "x" / "pyproject.toml", "[tool.black]\n")
    assert load(str(plain)) is None


def test_finder_caches_and_reports_errors_for_each_file(tmp_path: Path) -> None:
    write(tmp_path / ".dockerfix.toml", "select = 3\n")
    finder = ConfigFinder()
    for name in ("a/Dockerfile", "b/Dockerfile"):
        with pytest.raises(ConfigError, match="'select' must be a list of strings"):
            finder.for_file(str(tmp_path / name))


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache folder, and a TOML parser that counts its calls."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(cache))
    return cache


def _counting_toml(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from dockerfix import config

    calls: list[str] = []
    real = config._load_toml

    def counted(path: str, raw: bytes | None = None) -> dict[str, object]:
        calls.append(path)
        return real(path, raw)

    monkeypatch.setattr(config, "_load_toml", counted)
    return calls


def test_settings_are_kept_in_the_user_cache_until_the_file_changes(
    tmp_path: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_toml(monkeypatch)
    pyproject = write(tmp_path / "p" / "pyproject.toml", '[tool.dockerfix]\nignore = ["DFX007"]\n')
    plain = write(tmp_path / "q" / "pyproject.toml", '[tool.black]\nx = "dockerfix"\n')
    expected = Config(path=str(pyproject), ignore=("DFX007",))
    assert [load(str(pyproject)), load(str(plain))] == [expected, None]
    assert [load(str(pyproject)), load(str(plain))] == [expected, None]
    assert calls == [str(pyproject), str(plain)]  # parsed once each
    assert len(list(user_cache.rglob("config-*.marshal"))) == 2
    write(pyproject, '[tool.dockerfix]\nignore = ["DFX006"]\n')  # same length, new content
    assert load(str(pyproject)) == Config(path=str(pyproject), ignore=("DFX006",))
    moved = write(tmp_path / "r" / "pyproject.toml", pyproject.read_text())
    assert load(str(moved)) == Config(path=str(moved), ignore=("DFX006",))
    assert len(calls) == 4


def test_config_cache_trouble_only_costs_the_parse(
    tmp_path: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_toml(monkeypatch)
    dotfile = write(tmp_path / ".dockerfix.toml", 'runtime-image = "scratch"\n')
    assert load(str(dotfile)) == Config(path=str(dotfile), runtime_image="scratch")
    (entry,) = user_cache.rglob("config-*.marshal")
    entry.write_bytes(b"\x00not marshal")
    assert load(str(dotfile)) == Config(path=str(dotfile), runtime_image="scratch")
    # a value marshal cannot store (a TOML date) is simply not kept
    dated = write(tmp_path / "d" / ".dockerfix.toml", 'select = ["DFX001"]\nwhen = 2026-01-01\n')
    for _ in range(2):
        with pytest.raises(ConfigError, match="unknown setting 'when'"):
            load(str(dated))
    broken = write(tmp_path / "b" / ".dockerfix.toml", "select = [\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match="invalid TOML"):
            load(str(broken))
    assert len(calls) == 6
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(dotfile))  # a file: no folder there
    assert load(str(dotfile)) == Config(path=str(dotfile), runtime_image="scratch")


def test_overridden_keeps_unset_values() -> None:
    base = Config(path="p", select=("DFX001",), runtime_image="scratch")
    assert base.overridden(ignore=("DFX002",)) == Config(
        path="p", select=("DFX001",), ignore=("DFX002",), runtime_image="scratch"
    )
    assert base.overridden(runtime_image="img").runtime_image == "img"
