"""The command line (issue 4): modes, exit codes, files, streams — in-process and for real."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dockerfix
from tests.clitools import (
    BROKEN,
    CHANGED,
    ENTRYPOINT,
    FOUND,
    GO,
    NEVER_TOUCHED,
    NON_GO,
    clean_env,
    cli,
    contents,
    make_tree,
    proc,
    snapshot,
    write,
)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample repository, as the current directory."""
    root = make_tree(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def bad_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample repository with a broken and a binary Dockerfile, as the current directory."""
    root = make_tree(tmp_path / "repo", errors=True)
    monkeypatch.chdir(root)
    return root


def expected_fix(path: Path) -> str:
    """What the fixer makes of ``path`` (the CLI must write exactly this)."""
    text = path.read_bytes().decode("utf-8")
    return dockerfix.fix(text, str(path)).text


# -- report mode (no flag) ---------------------------------------------------------------------


def test_report_lists_findings_per_file_and_rule_and_exits_1(tree: Path) -> None:
    before = snapshot(tree)
    result = cli([])
    assert result.exit_code == 1, result.stderr
    assert re.search(r"^Dockerfile:\d+:\d+: DFX\d{3} \[\*\] ", result.stdout, re.M)
    for path in CHANGED:
        assert f"{path}:" in result.stdout
    for path in NEVER_TOUCHED:
        assert path not in result.stdout
    assert "svc/web.dockerfile" not in result.stdout  # not Go: nothing to say
    assert "fixable with `dockerfix --write`" in result.stdout
    assert result.stderr == ""
    assert snapshot(tree) == before  # report mode writes nothing


def test_report_output_is_in_sorted_path_order(tree: Path) -> None:
    result = cli(["--format", "json"])
    paths = [f["path"] for f in json.loads(result.stdout)["files"]]
    assert paths == FOUND


def test_report_on_clean_files_is_silent_and_exits_0(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", NON_GO)
    result = cli([str(tmp_path)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_exit_zero_turns_changes_into_success_but_not_errors(bad_tree: Path) -> None:
    assert cli(["--exit-zero", "Dockerfile"]).exit_code == 0
    assert cli(["--exit-zero", "--diff", "Dockerfile"]).exit_code == 0
    assert cli(["--exit-zero", "--check", "Dockerfile"]).exit_code == 0
    assert cli(["--exit-zero", "broken/Dockerfile"]).exit_code == 2


# -- --check -----------------------------------------------------------------------------------


def test_check_lists_the_files_that_would_change(tree: Path) -> None:
    before = snapshot(tree)
    result = cli(["--check"])
    assert result.exit_code == 1
    listed = [
        line.split(": ", 1)[1].split(" (")[0]
        for line in result.stdout.splitlines()
        if line.startswith("Would fix: ")
    ]
    assert listed == CHANGED
    assert "would be fixed" in result.stdout
    assert snapshot(tree) == before


def test_check_quiet_prints_nothing_and_only_exits(tree: Path) -> None:
    result = cli(["--check", "--quiet"])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")


def test_check_of_a_clean_file_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", NON_GO)
    result = cli(["--check", str(path)])
    assert (result.exit_code, result.stdout) == (0, "")


# -- --write -----------------------------------------------------------------------------------


def test_write_fixes_files_and_keeps_their_habits(tree: Path) -> None:
    expected = {p: expected_fix(tree / p) for p in FOUND}
    untouched = {p: (tree / p).read_bytes() for p in NEVER_TOUCHED}
    result = cli(["--write"])
    assert result.exit_code == 0, result.stderr
    for path in FOUND:
        assert (tree / path).read_bytes().decode("utf-8") == expected[path], path
    for path in CHANGED:
        assert f"Fixed: {path}" in result.stderr
        assert ENTRYPOINT in (tree / path).read_text(encoding="utf-8")
    assert (tree / "svc/web.dockerfile").read_text() == NON_GO
    for path, data in untouched.items():
        assert (tree / path).read_bytes() == data, path
    crlf = (tree / "svc/Dockerfile.prod").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n")
    bom = tree / "tools/Containerfile"
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not bom.read_bytes().endswith(b"\n")  # no final newline before, none after
    assert bom.stat().st_mode & 0o7777 == 0o640


def test_write_leaves_no_temporary_files(tree: Path) -> None:
    cli(["--write"])
    leftovers = [p for p in tree.rglob("*") if "dockerfix" in p.name and p.name.endswith(".tmp")]
    assert leftovers == []


def test_second_write_changes_nothing(tree: Path) -> None:
    assert cli(["--write"]).exit_code == 0
    after_first = snapshot(tree)
    result = cli(["--write"])
    assert result.exit_code == 0
    assert "Fixed:" not in result.stderr
    assert "Created:" not in result.stderr
    assert snapshot(tree) == after_first  # same bytes, modes and mtimes: nothing touched
    assert cli(["--check"]).exit_code == 0


def test_write_touches_only_files_that_change(tree: Path) -> None:
    before = snapshot(tree)
    cli(["--write"])
    after = snapshot(tree)
    assert after["svc/web.dockerfile"] == before["svc/web.dockerfile"]  # same mtime too


def test_write_creates_dockerignore_files_the_fixer_asks_for(tree: Path) -> None:
    asked = dockerfix.fix(GO, str(tree / "Dockerfile")).created_files
    result = cli(["--write", "Dockerfile"])
    for relative, content in asked.items():
        created = tree / relative
        assert created.read_text() == content
        assert f"Created: {relative}" in result.stderr


def test_write_never_overwrites_an_existing_dockerignore(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockerfix.fixer import api

    real_fix = api.fix_tree

    def fix_asking_for_dockerignore(
        tree: object, text: str, path: object, options: object
    ) -> api.FixResult:
        result = real_fix(tree, text, path, options)  # type: ignore[arg-type]
        result.created_files = {".dockerignore": "# from the fixer\n"}
        return result

    monkeypatch.setattr(api, "fix_tree", fix_asking_for_dockerignore)
    write(tree / "svc" / ".dockerignore", "# mine\n")
    result = cli(["--write", "--jobs", "1"])
    assert result.exit_code == 0
    assert (tree / "svc/.dockerignore").read_text() == "# mine\n"
    assert (tree / ".dockerignore").read_text() == "# from the fixer\n"
    assert (tree / "tools/.dockerignore").read_text() == "# from the fixer\n"
    assert "Created: svc/.dockerignore" not in result.stderr


def test_write_refuses_paths_outside_the_dockerfile_folder(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockerfix.fixer import api

    real_fix = api.fix_tree

    def escaping(tree: object, text: str, path: object, options: object) -> api.FixResult:
        result = real_fix(tree, text, path, options)  # type: ignore[arg-type]
        result.created_files = {"../escape": "x\n", "/abs": "x\n"}
        return result

    monkeypatch.setattr(api, "fix_tree", escaping)
    cli(["--write", "svc/Dockerfile.prod"])
    assert not (tree / "escape").exists()
    assert not Path("/abs").exists()


# -- --diff ------------------------------------------------------------------------------------


def test_diff_prints_a_patch_and_exits_1(tree: Path) -> None:
    before = snapshot(tree)
    result = cli(["--diff"])
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert f"+{ENTRYPOINT}\n" in result.stdout
    assert "\\ No newline at end of file\n" in result.stdout  # tools/Containerfile
    assert "\033[" not in result.stdout  # not a TTY: no colour
    assert snapshot(tree) == before


def test_diff_says_on_stderr_what_it_leaves_undone(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", GO.replace("--port 8080", "--port $PORT"))
    result = cli(["--diff", "--select", "DFX005", str(path)])
    assert result.stdout == ""
    assert "DFX005" in result.stderr
    assert "not fixed:" in result.stderr
    assert "$PORT" in result.stderr
    assert cli(["--diff", "--quiet", "--select", "DFX005", str(path)]).stderr == ""


def test_write_reports_on_stderr_and_json_on_stdout(tree: Path) -> None:
    result = cli(["--write", "Dockerfile"])
    assert (result.stdout, result.stderr.startswith("Fixed: Dockerfile")) == ("", True)


def test_diff_of_nothing_is_empty_and_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", NON_GO)
    result = cli(["--diff", str(path)])
    assert (result.exit_code, result.stdout) == (0, "")


def test_diff_labels_are_relative_to_the_current_directory(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree / "svc")
    result = cli(["--diff", "../tools/Containerfile.dev"])
    assert "--- a/../tools/Containerfile.dev\n" in result.stdout
    monkeypatch.chdir(tree)
    result = cli(["--diff", str(tree / "tools" / "Containerfile.dev")])
    assert "--- a/tools/Containerfile.dev\n+++ b/tools/Containerfile.dev\n" in result.stdout


@pytest.mark.parametrize("tool", ["patch", "git"])
def test_diff_applied_equals_write(tmp_path: Path, tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    fixed = make_tree(tmp_path / "fixed")
    patched = tmp_path / "patched"
    shutil.copytree(fixed, patched, symlinks=True)
    diff = proc(["--diff", "."], fixed)
    assert diff.returncode == 1, diff.stderr
    command = ["patch", "-p1", "--quiet"] if tool == "patch" else ["git", "apply", "-"]
    applied = subprocess.run(command, cwd=patched, input=diff.stdout, capture_output=True)
    assert applied.returncode == 0, applied.stderr.decode() + applied.stdout.decode()
    written = proc(["--write", "."], fixed)
    assert written.returncode == 0, written.stderr
    if tool == "git":  # git apply rewrites files 0644 (git knows only 644/755): compare bytes
        assert {k: v[0] for k, v in contents(patched).items()} == {
            k: v[0] for k, v in contents(fixed).items()
        }
    else:
        assert contents(patched) == contents(fixed)


def test_diff_of_a_crlf_bom_file_applies_byte_for_byte(tmp_path: Path) -> None:
    text = "\ufeff" + GO.replace("\n", "\r\n")
    root = tmp_path / "r"
    write(root / "Dockerfile", text)
    write(root / ".dockerignore", ".git\n")
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    diff = proc(["--diff", "Dockerfile"], root)
    subprocess.run(["patch", "-p1", "--quiet"], cwd=copy, input=diff.stdout, check=True)
    proc(["--write", "Dockerfile"], root)
    assert (copy / "Dockerfile").read_bytes() == (root / "Dockerfile").read_bytes()


# -- errors: one bad file never stops the others -----------------------------------------------


def test_broken_and_binary_files_exit_2_located_and_untouched(bad_tree: Path) -> None:
    broken = (bad_tree / "broken/Dockerfile").read_bytes()
    binary = (bad_tree / "bin/Dockerfile").read_bytes()
    result = cli(["--write"])
    assert result.exit_code == 2
    assert "broken/Dockerfile:2:1: unterminated heredoc" in result.stderr
    assert "bin/Dockerfile:1:" in result.stderr
    assert "binary file" in result.stderr
    assert "Traceback" not in result.stderr
    assert (bad_tree / "broken/Dockerfile").read_bytes() == broken
    assert (bad_tree / "bin/Dockerfile").read_bytes() == binary
    for path in CHANGED:  # the others were still fixed
        assert ENTRYPOINT in (bad_tree / path).read_text(encoding="utf-8"), path


@pytest.mark.parametrize("mode", [[], ["--check"], ["--diff"], ["--write"]])
def test_errors_exit_2_in_every_mode(bad_tree: Path, mode: list[str]) -> None:
    result = cli([*mode])
    assert result.exit_code == 2
    assert "broken/Dockerfile:2:1: unterminated heredoc" in result.stderr
    assert "broken/Dockerfile" not in result.stdout


def test_missing_path_exits_2_and_the_other_paths_still_run(tree: Path) -> None:
    result = cli(["--check", "no/such/Dockerfile", "Dockerfile"])
    assert result.exit_code == 2
    assert "no/such/Dockerfile: no such file or directory" in result.stderr
    assert "Would fix: Dockerfile" in result.stdout


def test_undecodable_file_is_located(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", b"FROM golang:1.23\nLABEL x=\xff\xfe\n")
    result = cli([str(path)])
    assert result.exit_code == 2
    assert f"{path}:2:9: cannot decode as UTF-8" in result.stderr


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    path = write(tmp_path / "Dockerfile", GO, mode=0)
    result = cli([str(path)])
    assert result.exit_code == 2
    assert "permission denied" in result.stderr


def test_internal_errors_are_reported_without_traceback(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockerfix.fixer import api

    real_fix = api.fix_tree

    def crashing(tree: object, text: str, path: object, options: object) -> api.FixResult:
        if str(path).endswith("api.Dockerfile"):
            raise RuntimeError("boom")
        return real_fix(tree, text, path, options)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "fix_tree", crashing)
    before = (tree / "api.Dockerfile").read_bytes()
    result = cli(["--write", "--jobs", "1"])
    assert result.exit_code == 2
    assert "api.Dockerfile: internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tree / "api.Dockerfile").read_bytes() == before
    assert ENTRYPOINT in (tree / "Dockerfile").read_text()
    verbose = cli(["--verbose", "--check", "--jobs", "1", "api.Dockerfile"])
    assert "Traceback" in verbose.stderr  # the details, on request


def test_safety_net_internal_error_exits_2(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dockerfix.fixer import api

    def unsafe(tree: object, text: str, path: object, options: object) -> api.FixResult:
        return api.FixResult(text=text, internal_error="a second run changed the file", source=text)

    monkeypatch.setattr(api, "fix_tree", unsafe)
    result = cli(["--write", "--jobs", "1", "Dockerfile"])
    assert result.exit_code == 2
    assert "Dockerfile: internal error: a second run changed the file" in result.stderr
    assert (tree / "Dockerfile").read_text() == GO


# -- stdin -------------------------------------------------------------------------------------


def test_stdin_prints_the_fixed_text_and_exits_0(tmp_path: Path) -> None:
    result = cli(["-"], input=GO)
    assert result.exit_code == 0
    assert result.stdout == dockerfix.fix(GO).text
    assert ENTRYPOINT in result.stdout
    # stderr carries only the caveats of the fixes applied (what they change on purpose)
    assert all(" caveat: " in line for line in result.stderr.splitlines())
    assert "-:1:1: DFX001 caveat: the CMD becomes an ENTRYPOINT" in result.stderr


def test_stdin_prints_unchanged_text_unchanged(tmp_path: Path) -> None:
    result = cli(["-"], input=NON_GO)
    assert (result.exit_code, result.stdout) == (0, NON_GO)


def test_stdin_keeps_bytes(tmp_path: Path) -> None:
    text = "\ufeff" + GO.replace("\n", "\r\n")
    result = cli(["-"], input=text.encode("utf-8"))
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in result.stdout_bytes
    assert b"\n" not in result.stdout_bytes.replace(b"\r\n", b"")


def test_stdin_error_prints_nothing_on_stdout(tmp_path: Path) -> None:
    result = cli(["-", "--stdin-filename", "svc/Dockerfile"], input=BROKEN)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "svc/Dockerfile:2:1: unterminated heredoc\n"
    binary = cli(["-"], input=b"\x00\x01")
    assert (binary.exit_code, binary.stdout) == (2, "")
    assert binary.stderr.startswith("-:1:1: binary file")


def test_stdin_filename_alone_means_stdin(tmp_path: Path) -> None:
    result = cli(["--stdin-filename", "Dockerfile"], input=GO)
    assert (result.exit_code, ENTRYPOINT in result.stdout) == (0, True)


def test_stdin_filename_gives_the_build_context_and_config(tmp_path: Path) -> None:
    write(tmp_path / "svc" / ".dockerfix.toml", 'select = ["DFX004"]\n')
    result = cli(["-", "--stdin-filename", str(tmp_path / "svc" / "Dockerfile")], input=GO)
    assert result.exit_code == 0
    assert ENTRYPOINT not in result.stdout  # only DFX004, by svc/.dockerfix.toml
    assert "CMD /app --port 8080" in result.stdout
    assert "-ldflags '-w -s'" in result.stdout


def test_stdin_never_creates_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cli(["-", "--stdin-filename", "Dockerfile", "--verbose"], input=GO)
    assert list(tmp_path.iterdir()) == []


def test_stdin_diff_and_check(tmp_path: Path) -> None:
    diff = cli(["--diff", "-"], input=GO)
    assert diff.exit_code == 1
    assert diff.stdout.startswith("--- STDIN\n+++ STDOUT\n")
    named = cli(["--diff", "-", "--stdin-filename", "svc/Dockerfile"], input=GO)
    assert named.stdout.startswith("--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n")
    check = cli(["--check", "-"], input=GO)
    assert check.exit_code == 1
    assert "Would fix: -" in check.stdout
    assert cli(["--check", "-"], input=NON_GO).exit_code == 0


def test_stdin_machine_format_goes_to_stderr(tmp_path: Path) -> None:
    result = cli(["-", "--format", "json"], input=GO)
    assert result.exit_code == 0
    assert ENTRYPOINT in result.stdout
    document = json.loads(result.stderr)
    assert document["mode"] == "stdin"
    assert {d["status"] for d in document["files"][0]["diagnostics"]} >= {"fixed"}


# -- --dump --------------------------------------------------------------------------------------


def test_dump_prints_buildkit_ast(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", GO)
    result = cli(["--dump", str(path)])
    assert result.exit_code == 0
    assert result.stdout == (
        '(from "golang:1.23")\n(run "go build -o /app .")\n(cmd "/app --port 8080")\n'
    )


def test_dump_errors_are_located_without_traceback(tmp_path: Path) -> None:
    broken = write(tmp_path / "Dockerfile", BROKEN)
    empty = write(tmp_path / "empty.Dockerfile", "# only a comment\n")
    result = cli(["--dump", str(broken), str(empty)])
    assert result.exit_code == 2
    assert f"{broken}:2:1: unterminated heredoc" in result.stderr
    assert f"{empty}:1:1: file with no instructions" in result.stderr
    assert "Traceback" not in result.stderr


def test_dump_reads_stdin(tmp_path: Path) -> None:
    result = cli(["--dump", "-"], input="FROM scratch\n")
    assert (result.exit_code, result.stdout) == (0, '(from "scratch")\n')


def test_dump_of_several_files_names_them(tmp_path: Path) -> None:
    a = write(tmp_path / "a.Dockerfile", "FROM a\n")
    b = write(tmp_path / "b.Dockerfile", "FROM b\n")
    result = cli(["--dump", str(a), str(b)])
    assert result.stdout == f'==> {a} <==\n(from "a")\n==> {b} <==\n(from "b")\n'


# -- selection, runtime image, configuration ---------------------------------------------------


def test_ignore_and_select(tree: Path) -> None:
    ignored = cli(["-", "--ignore", "DFX001", "--ignore", "DFX005"], input=GO)
    assert ENTRYPOINT not in ignored.stdout
    assert "-ldflags" in ignored.stdout
    selected = cli(["--format", "json", "--select", "shell-form-entrypoint", "Dockerfile"])
    codes = {d["code"] for f in json.loads(selected.stdout)["files"] for d in f["diagnostics"]}
    assert codes == {"DFX005"}
    several = cli(["--format", "json", "--select", "DFX005,DFX004", "--select", "DFX003"])
    codes = {d["code"] for f in json.loads(several.stdout)["files"] for d in f["diagnostics"]}
    assert codes <= {"DFX003", "DFX004", "DFX005"}


def test_runtime_image_reaches_the_fixer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dockerfix.fixer import api

    seen: list[str] = []
    real_fix = api.fix_tree

    def spy(tree: object, text: str, path: object, options: object) -> api.FixResult:
        seen.append(options.runtime_image)  # type: ignore[attr-defined]
        return real_fix(tree, text, path, options)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "fix_tree", spy)
    cli(["-", "--runtime-image", "scratch"], input=GO)
    cli(["-"], input=GO)
    assert seen == ["scratch", "gcr.io/distroless/static-debian13"]


def test_configuration_is_found_upwards_and_the_command_line_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.dockerfix]\nselect = ["binary-not-stripped"]\n')
    write(tmp_path / "a" / "b" / "Dockerfile", GO)
    # In one folder .dockerfix.toml wins over pyproject.toml.
    write(tmp_path / "c" / ".dockerfix.toml", 'select = ["DFX005"]\n')
    write(tmp_path / "c" / "pyproject.toml", '[tool.dockerfix]\nselect = ["DFX004"]\n')
    write(tmp_path / "c" / "Dockerfile", GO)
    result = cli(["--write", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    ab = (tmp_path / "a/b/Dockerfile").read_text()
    assert ("-ldflags" in ab, "CMD /app --port 8080" in ab) == (True, True)
    c = (tmp_path / "c/Dockerfile").read_text()
    assert ("-ldflags" in c, ENTRYPOINT in c) == (False, True)
    write(tmp_path / "a" / "b" / "Dockerfile", GO)
    cli(["--write", "--select", "DFX005", str(tmp_path / "a")])  # the command line wins
    ab = (tmp_path / "a/b/Dockerfile").read_text()
    assert ("-ldflags" in ab, ENTRYPOINT in ab) == (False, True)


def test_pyproject_without_table_does_not_stop_the_search(tmp_path: Path) -> None:
    write(tmp_path / ".dockerfix.toml", 'select = ["DFX005"]\n')
    write(tmp_path / "svc" / "pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path / "svc" / "Dockerfile", GO)
    result = cli(["--format", "json", str(tmp_path / "svc")])
    codes = {d["code"] for d in json.loads(result.stdout)["files"][0]["diagnostics"]}
    assert codes == {"DFX005"}


def test_configuration_exclude_skips_found_files_but_not_named_ones(tmp_path: Path) -> None:
    write(tmp_path / ".dockerfix.toml", 'exclude = ["legacy/"]\n')
    write(tmp_path / "legacy" / "Dockerfile", GO)
    write(tmp_path / "app" / "Dockerfile", GO)
    result = cli(["--check", str(tmp_path)])
    assert "legacy" not in result.stdout
    assert "app/Dockerfile" in result.stdout
    named = cli(["--check", str(tmp_path / "legacy" / "Dockerfile")])
    assert named.exit_code == 1


def test_explicit_config_file(tmp_path: Path) -> None:
    config = write(tmp_path / "migration.toml", 'select = ["DFX004"]\n')
    write(tmp_path / "Dockerfile", GO)
    result = cli(["--config", str(config), "--diff", str(tmp_path)])
    assert "ENTRYPOINT" not in result.stdout
    assert "+RUN go build -ldflags '-w -s' -o /app .\n" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[broken\n", ".dockerfix.toml:1:8: invalid TOML"),
        ('colour = "red"\n', "unknown setting 'colour'"),
        ('select = ["DFX999"]\n', "unknown rule 'DFX999'"),
        ("runtime-image = 3\n", "'runtime-image' must be a non-empty string"),
    ],
)
def test_bad_configuration_is_an_error_for_its_files_only(
    tmp_path: Path, content: str, message: str
) -> None:
    write(tmp_path / "bad" / ".dockerfix.toml", content)
    write(tmp_path / "bad" / "Dockerfile", GO)
    write(tmp_path / "good" / "Dockerfile", GO)
    result = cli(["--check", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "good/Dockerfile" in result.stdout


# -- usage errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--write", "--diff"],
        ["--write", "--check"],
        ["--dump"],
        ["--dump", "--write", "x"],
        ["-", "Dockerfile"],
        ["--stdin-filename", "x", "Dockerfile"],
        ["--diff", "--format", "json"],
        ["--quiet", "--verbose"],
        ["--select", "DFX999"],
        ["--ignore", "no-such-rule"],
        ["--format", "xml"],
        ["--jobs", "0"],
        ["--no-such-option"],
        ["--config", "/no/such/file.toml"],
        ["--runtime-image", " "],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = cli(args, input="")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


# -- information -------------------------------------------------------------------------------


def test_list_rules() -> None:
    result = cli(["--list-rules"])
    assert result.exit_code == 0
    assert "DFX005" in result.stdout
    assert "shell-form-entrypoint" in result.stdout
    rows = json.loads(cli(["--list-rules", "--format", "json"]).stdout)
    assert {"code": "DFX005", "name": "shell-form-entrypoint"}.items() <= next(
        r for r in rows if r["code"] == "DFX005"
    ).items()


@pytest.mark.parametrize("name", ["DFX005", "dfx005", "shell-form-entrypoint"])
def test_explain(name: str) -> None:
    result = cli(["--explain", name])
    assert result.exit_code == 0
    assert result.stdout.startswith("DFX005 shell-form-entrypoint")
    assert "## What it does" in result.stdout
    assert "## Fix safety" in result.stdout


def test_explain_unknown_rule_exits_2() -> None:
    result = cli(["--explain", "DFX999"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "unknown rule" in result.stderr


def test_version() -> None:
    result = cli(["--version"])
    assert (result.exit_code, result.stdout) == (0, f"dockerfix {dockerfix.__version__}\n")


# -- verbose and quiet -------------------------------------------------------------------------


def test_verbose_names_skipped_paths(tree: Path) -> None:
    result = cli(["--verbose", "--check"])
    assert "ignored: skipped: git-ignored" in result.stderr
    assert "node_modules: skipped" in result.stderr
    assert "env: skipped" in result.stderr
    assert "svc/web.dockerfile: unchanged" in result.stderr


def test_quiet_report_prints_findings_without_summary(tree: Path) -> None:
    result = cli(["--quiet", "Dockerfile"])
    assert result.exit_code == 1
    assert result.stdout.startswith("Dockerfile:")
    assert "Found" not in result.stdout


def test_quiet_write_prints_nothing(tree: Path) -> None:
    result = cli(["--write", "--quiet"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


# -- parallelism -------------------------------------------------------------------------------


def test_jobs_give_the_same_sorted_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dockerfix import runner

    for i in range(24):
        write(tmp_path / f"s{i % 5}" / f"app{i:02}.Dockerfile", GO if i % 3 else NON_GO)
    write(tmp_path / "s9" / "Dockerfile", BROKEN)
    pools: list[int] = []
    real_pool = runner._run_pool

    def counting(tasks: list[runner.Task], jobs: int, collect: object) -> list[runner.Task]:
        pools.append(jobs)
        return real_pool(tasks, jobs, collect)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_run_pool", counting)
    serial = cli(["--format", "json", "--jobs", "1", str(tmp_path)])
    parallel = cli(["--format", "json", "--jobs", "4", str(tmp_path)])
    assert pools == [4]
    assert serial.exit_code == parallel.exit_code == 2
    assert serial.stdout == parallel.stdout
    assert serial.stderr == parallel.stderr
    paths = [f["path"] for f in json.loads(parallel.stdout)["files"]]
    assert paths == sorted(paths, key=lambda p: Path(p).parts)


def test_few_files_use_no_pool(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dockerfix import runner

    def no_pool(*args: object) -> None:
        raise AssertionError("a pool for six files")

    monkeypatch.setattr(runner, "_run_pool", no_pool)
    assert cli(["--jobs", "8", "--check"]).exit_code == 1


# -- symbolic links ----------------------------------------------------------------------------


def test_symlinks_out_of_the_tree_and_loops_are_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "Dockerfile", GO)
    root = tmp_path / "root"
    write(root / "app" / "Dockerfile", GO)
    (root / "out").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "app" / "loop").symlink_to(root, target_is_directory=True)
    (root / "Dockerfile.link").symlink_to(outside)
    (root / "Dockerfile.same").symlink_to(root / "app" / "Dockerfile")
    result = cli(["--format", "json", "--verbose", str(root)])
    paths = [f["path"] for f in json.loads(result.stdout)["files"]]
    assert paths == [str(root / "app" / "Dockerfile")]
    assert "symbolic link out of the tree" in result.stderr
    cli(["--write", str(root)])
    assert outside.read_text() == GO


def test_a_named_symlink_is_processed_and_stays_a_link(tmp_path: Path) -> None:
    target = write(tmp_path / "real" / "Dockerfile", GO)
    link = tmp_path / "Dockerfile"
    link.symlink_to(target)
    result = cli(["--write", str(link)])
    assert result.exit_code == 0
    assert link.is_symlink()
    assert ENTRYPOINT in target.read_text()


# -- colour ------------------------------------------------------------------------------------


def test_color_flag_forces_colour_and_no_color_removes_it(tree: Path) -> None:
    coloured = cli(["--diff", "--color", "Dockerfile"])
    assert "\033[32m+" in coloured.stdout
    assert "\033[31m-" in coloured.stdout
    assert "\033[" not in cli(["--diff", "--no-color", "Dockerfile"]).stdout
    assert "\033[" in cli(["--color", "Dockerfile"]).stdout  # the report too
    assert "\033[" in cli(["--diff", "--color", "Dockerfile"], NO_COLOR="1").stdout


# -- as a real process -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--check", "."], 1),
        (["."], 1),
        (["--diff", "."], 1),
        (["--write", "."], 0),
        (["--check", "svc/web.dockerfile"], 0),
        (["--check", "missing"], 2),
        (["--write", "--select", "nope", "."], 2),
        (["--exit-zero", "."], 0),
    ],
)
def test_real_process_exit_codes(tmp_path: Path, args: list[str], code: int) -> None:
    root = make_tree(tmp_path / "repo")
    result = proc(args, root)
    assert result.returncode == code, result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_real_process_errors_and_stdin(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo", errors=True)
    result = proc(["--write", "."], root)
    assert result.returncode == 2
    assert b"broken/Dockerfile:2:1: unterminated heredoc\n" in result.stderr
    assert b"Traceback" not in result.stderr
    assert ENTRYPOINT in (root / "Dockerfile").read_text()
    fixed = proc(["-", "--stdin-filename", "Dockerfile"], root, input=GO.encode())
    expected = dockerfix.fix(GO, str(root / "Dockerfile")).text.encode()
    assert (fixed.returncode, fixed.stdout) == (0, expected)
    failed = proc(["-"], root, input=BROKEN.encode())
    assert (failed.returncode, failed.stdout) == (2, b"")
    assert failed.stderr == b"-:2:1: unterminated heredoc\n"


def test_real_process_dump(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", GO)
    write(tmp_path / "bad", BROKEN)
    ok = proc(["--dump", "Dockerfile"], tmp_path)
    assert ok.returncode == 0
    assert ok.stdout.startswith(b'(from "golang:1.23")\n')
    bad = proc(["--dump", "bad"], tmp_path)
    assert (bad.returncode, bad.stdout, bad.stderr) == (2, b"", b"bad:2:1: unterminated heredoc\n")


def test_real_process_non_tty_has_no_summary_or_progress(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo")
    result = proc(["--check", "."], root)
    assert b"files scanned" not in result.stderr
    assert b"\033[" not in result.stdout + result.stderr


def test_help_and_version_do_not_import_heavy_modules(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from dockerfix.cli import main\n"
        "for args in (['--version'], ['--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('lark', 'rich', 'pathspec')\n"
        "               or m.startswith(('dockerfix.fixer.rules', 'dockerfix.grammar')))\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=clean_env(), check=True
    )
    assert "HEAVY []" in result.stdout


def test_dump_does_not_import_rich_or_rules(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", GO)
    script = (
        "import sys\n"
        "from dockerfix.cli import main\n"
        "try:\n"
        "    main(['--dump', 'Dockerfile'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'rich'\n"
        "               or m.startswith('dockerfix.fixer.rules'))\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
        check=True,
    )
    assert "HEAVY []" in result.stdout


# -- ecosystem: pre-commit hooks and the README -------------------------------------------------


def test_pre_commit_hooks_are_valid_commands(tmp_path: Path) -> None:
    from tests.clitools import REPO

    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert re.findall(r"^- id: (\S+)$", text, re.M) == ["dockerfix", "dockerfix-check"]
    entries = re.findall(r"^  entry: (.+)$", text, re.M)
    assert entries == ["dockerfix --write", "dockerfix --diff"]
    (pattern,) = set(re.findall(r"^  files: '(.+)'$", text, re.M))
    (exclude,) = set(re.findall(r"^  exclude: '(.+)'$", text, re.M))
    hooked = [
        n
        for n in (
            "Dockerfile",
            "a/Dockerfile.prod",
            "x/api.Dockerfile",
            "b.dockerfile",
            "Containerfile",
            "c/Containerfile.fedora",
            "Dockerfile.dockerignore",
            "README.md",
            "Dockerfiles/x.go",
        )
        if re.search(pattern, n) and not re.search(exclude, n)
    ]
    assert hooked == [
        "Dockerfile",
        "a/Dockerfile.prod",
        "x/api.Dockerfile",
        "b.dockerfile",
        "Containerfile",
        "c/Containerfile.fedora",
    ]
    path = write(tmp_path / "Dockerfile", GO)
    check = cli([*entries[1].split()[1:], str(path)])
    assert check.exit_code == 1  # the checking hook fails on changes
    fix = cli([*entries[0].split()[1:], str(path)])
    assert fix.exit_code == 0
    assert ENTRYPOINT in path.read_text()


def test_readme_quick_start_command_works() -> None:
    from tests.clitools import REPO

    readme = (REPO / "README.md").read_text()
    command = "dockerfix --diff --exit-zero examples/hello-go/Dockerfile"
    assert command in readme
    result = proc(command.split()[1:], REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"--- a/examples/hello-go/Dockerfile\n")


def test_readme_documents_the_exit_codes_and_editor_command() -> None:
    from tests.clitools import REPO

    readme = (REPO / "README.md").read_text()
    assert "## Exit codes" in readme
    for needle in (
        "conform.nvim",
        "customLocalFormatters",
        "%{buffer_name}",
        "File Watchers",
        "multi-gitter",
        "turbolift",
        "git add",
    ):
        assert needle in readme, needle
    assert "dockerfix - --stdin-filename" in readme


def test_caveats_of_applied_fixes_show_beside_a_diff_and_in_json(tmp_path: Path) -> None:
    result = cli(["--diff", "-"], input=GO)
    assert result.exit_code == 1
    assert "+ENTRYPOINT" in result.stdout
    assert "DFX001 caveat: the CMD becomes an ENTRYPOINT" in result.stderr
    assert "caveat" not in result.stdout  # the patch stays a plain patch
    document = json.loads(cli(["--format", "json", "--exit-zero", "-"], input=GO).stderr)
    (split,) = [d for d in document["files"][0]["diagnostics"] if d["code"] == "DFX001"]
    assert any("ENTRYPOINT" in c for c in split["caveats"])
