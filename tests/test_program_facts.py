"""What the program does (facts.program, facts.vcs, the literal scan of facts.runtime), and
what the rules do with it: no split for a program that runs others, no USER for one that
writes or needs root, ``.git`` kept for a build that calls git."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerfix
from dockerfix.facts.context import analyze_context
from dockerfix.facts.program import Write, needs_writable
from dockerfix.fixer.api import FixResult

from .test_context import make

GO_MOD = "module example.com/app\n\ngo 1.22\n"
NAIVE = 'FROM golang:1.22-alpine\nWORKDIR /app\nCOPY . .\nRUN go build -o app .\nCMD ["./app"]\n'


def main_go(body: str, imports: str = '"fmt"') -> str:
    return f"package main\n\nimport (\n\t{imports}\n)\n\nfunc main() {{\n{body}\n}}\n"


def test_programs_it_runs(tmp_path: Path) -> None:
    src = main_go(
        '\tconst tool = "ffmpeg"\n\texec.Command("git", "describe").Run()\n'
        '\texec.CommandContext(ctx, tool).Run()\n\texec.Command(os.Args[0], "child").Run()\n'
        "\texec.Command(name).Run()",
        '"os"\n\t"os/exec"',
    )
    bc = analyze_context(make(tmp_path, {"go.mod": GO_MOD, "main.go": src}))
    assert [p.split(" (")[0] for p in bc.executed_programs] == [
        '"git"',
        '"ffmpeg"',
        "a program named at run time",
    ]


def test_exec_in_tests_does_not_count(tmp_path: Path) -> None:
    test = 'package main\n\nimport "os/exec"\n\nfunc TestX() { exec.Command("sh").Run() }\n'
    bc = analyze_context(
        make(tmp_path, {"go.mod": GO_MOD, "main.go": main_go(""), "x_test.go": test})
    )
    assert bc.executed_programs == []


def test_writes(tmp_path: Path) -> None:
    src = main_go(
        '\tconst dir = "data"\n\tos.MkdirAll(dir, 0o755)\n'
        '\tos.WriteFile(filepath.Join("data", "state.json"), nil, 0o644)\n'
        '\tos.OpenFile("app.log", os.O_CREATE|os.O_WRONLY, 0o644)\n'
        '\tos.OpenFile("read.txt", os.O_RDONLY, 0)\n\tos.Create("/tmp/scratch")\n'
        '\tsql.Open("sqlite3", "file:app.db?cache=shared")\n\tos.Create(name)',
        '"database/sql"\n\t"os"\n\t"path/filepath"',
    )
    bc = analyze_context(make(tmp_path, {"go.mod": GO_MOD, "main.go": src}))
    paths = [w.path for w in bc.writes]
    assert paths == ["data", "data/state.json", "/tmp/scratch", None, "app.log", "app.db"]
    assert [needs_writable(w) for w in bc.writes] == [True, True, False, False, True, True]


@pytest.mark.parametrize(
    ("path", "needs"),
    [("data", True), ("/var/lib/app", True), ("/tmp/x", False), (":memory:", False), (None, False)],
)
def test_needs_writable(path: str | None, needs: bool) -> None:
    assert needs_writable(Write(path, "here")) is needs


def test_root_reasons(tmp_path: Path) -> None:
    src = main_go(
        '\thttp.ListenAndServe(":80", nil)\n\tsrv := &http.Server{Addr: "0.0.0.0:443"}\n'
        '\thttp.ListenAndServe(":8080", nil)\n\tr.Run(":1024")',
        '"net/http"',
    )
    mod = GO_MOD + "\nrequire github.com/docker/docker v26.1.0+incompatible\n"
    bc = analyze_context(make(tmp_path, {"go.mod": mod, "main.go": src}))
    text = "\n".join(bc.root_reasons)
    assert "github.com/docker/docker" in text
    assert 'ListenAndServe(":80")' in text
    assert 'Addr: "0.0.0.0:443"' in text
    assert "8080" not in text
    assert "1024" not in text.replace("below 1024", "")


def test_literals_naming_context_files_are_runtime_files(tmp_path: Path) -> None:
    src = main_go(
        '\tpath := flag.String("config", "config/settings.json", "")\n'
        '\tfmt.Println("static/site.css", "main.go", "cmd/tool", "not/there.txt")',
        '"flag"\n\t"fmt"',
    )
    files = {
        "go.mod": GO_MOD,
        "main.go": src,
        "config/settings.json": "{}",
        "static/site.css": "",
        "cmd/tool/main.go": "package main\n\nfunc main() {}\n",
    }
    bc = analyze_context(make(tmp_path, files))
    # the flag's name is also the name of the folder: all of config/ goes (a superset)
    assert [f.path for f in bc.runtime_files] == ["config", "static/site.css"]


def test_a_constant_naming_a_data_folder_is_followed(tmp_path: Path) -> None:
    """``os.ReadDir(migrationsDir)`` with ``const migrationsDir = "migrations"``; a folder
    holding only a Dockerfile, named by a literal, is not data."""
    src = main_go(
        '\tconst migrationsDir = "migrations"\n'
        "\tentries, _ := os.ReadDir(migrationsDir)\n"
        '\tfmt.Println(len(entries), "deploy")',
        '"fmt"\n\t"os"',
    )
    files = {
        "go.mod": GO_MOD,
        "main.go": src,
        "migrations/001_init.sql": "create table t (x int);",
        "deploy/Dockerfile": "FROM scratch\n",
    }
    bc = analyze_context(make(tmp_path, files))
    assert [f.path for f in bc.runtime_files] == ["migrations"]
    assert bc.runtime_files[0].reason.startswith('os.ReadDir(migrationsDir, which is "migrations")')


def fix(tmp_path: Path, files: dict[str, str], text: str = NAIVE) -> FixResult:
    make(tmp_path, {"go.mod": GO_MOD, **files})
    return dockerfix.fix(text, str(tmp_path / "Dockerfile"))


def skipped(result: FixResult, code: str) -> list[str]:
    return [d.reason or "" for d in result.diagnostics if d.code == code and not d.fixed]


def test_a_program_that_runs_sh_is_not_split(tmp_path: Path) -> None:
    src = main_go('\texec.Command("sh", "-c", "date").Run()', '"os/exec"')
    result = fix(tmp_path, {"main.go": src})
    assert "FROM gcr.io/distroless" not in result.text
    assert any('"sh"' in r for r in skipped(result, "DFX001"))


def test_a_program_that_writes_gets_no_user(tmp_path: Path) -> None:
    src = main_go('\tos.MkdirAll("data", 0o755)', '"os"')
    result = fix(tmp_path, {"main.go": src})
    assert "FROM gcr.io/distroless" in result.text
    assert "USER" not in result.text
    assert any("writes data" in r for r in skipped(result, "DFX006"))


def test_a_program_on_port_80_gets_no_user(tmp_path: Path) -> None:
    src = main_go('\thttp.ListenAndServe(":80", nil)', '"net/http"')
    result = fix(tmp_path, {"main.go": src})
    assert "USER" not in result.text
    assert any("below 1024" in r for r in skipped(result, "DFX006"))


def test_a_file_copied_to_an_absolute_place_stays_there(tmp_path: Path) -> None:
    text = NAIVE.replace("COPY . .\n", "COPY . .\nCOPY app.conf /etc/app/app.conf\n")
    result = fix(tmp_path, {"main.go": main_go(""), "app.conf": "x=1\n"}, text)
    assert "COPY --from=builder /etc/app/app.conf /etc/app/app.conf" in result.text


def test_a_path_in_the_start_command_is_copied(tmp_path: Path) -> None:
    text = NAIVE.replace('CMD ["./app"]', 'CMD ["./app", "-config", "conf/app.yaml"]')
    result = fix(tmp_path, {"main.go": main_go(""), "conf/app.yaml": "a: 1\n"}, text)
    assert "COPY --from=builder /app/conf/app.yaml /app/conf/app.yaml" in result.text
    assert "WORKDIR /app" in result.text.split("FROM gcr.io")[1]


@pytest.mark.parametrize(
    ("run", "files", "keeps"),
    [
        ('go build -ldflags "-X main.v=$(git describe --tags)" -o app .', {}, True),
        (
            "make build",
            {"Makefile": 'build:\n\tgo build -ldflags "-X main.v=$$(git rev-parse HEAD)"\n'},
            True,
        ),
        (
            "./scripts/build.sh",
            {"scripts/build.sh": "#!/bin/sh\nv=$(git describe)\ngo build\n"},
            True,
        ),
        ("make build", {"Makefile": "build:\n\tgo build -o app .\n"}, False),
        ("go build -o app github.com/acme/app", {}, False),
    ],
)
def test_dockerignore_keeps_git_for_builds_that_call_it(
    tmp_path: Path, run: str, files: dict[str, str], keeps: bool
) -> None:
    text = NAIVE.replace("RUN go build -o app .", f"RUN {run}")
    result = fix(tmp_path, {"main.go": main_go(""), **files}, text)
    ignore = result.created_files[".dockerignore"]
    assert ("\n.git\n" not in ignore) is keeps
    assert ("# .git not excluded: needed" in ignore) is keeps


def test_a_go_work_copies_every_used_module_first(tmp_path: Path) -> None:
    files = {
        "main.go": main_go(""),
        "go.work": "go 1.22\n\nuse (\n\t.\n\t./lib\n)\n",
        "lib/go.mod": "module example.com/lib\n\ngo 1.22\n",
    }
    result = fix(tmp_path, files)
    assert "COPY go.work go.mod ./\nCOPY lib/go.mod lib/\nRUN go mod download\n" in (result.text)


def test_workspace_modules_requiring_each_other_decline_the_download_step(
    tmp_path: Path,
) -> None:
    files = {
        "main.go": main_go(""),
        "go.work": "go 1.22\n\nuse (\n\t.\n\t./lib\n)\n",
        "go.mod": "module example.com/app\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n",
        "lib/go.mod": "module example.com/lib\n\ngo 1.22\n",
    }
    result = fix(tmp_path, files)
    assert "RUN go mod download" not in result.text
    assert any("which the workspace provides (lib)" in r for r in skipped(result, "DFX002"))


VCS_MAIN = main_go(
    "\tinfo, _ := debug.ReadBuildInfo()\n\tfor _, s := range info.Settings {\n"
    '\t\tif s.Key == "vcs.revision" {\n\t\t\tfmt.Println(s.Value)\n\t\t}\n\t}',
    '"fmt"\n\t"runtime/debug"',
)


def test_a_program_that_reads_its_vcs_stamp_keeps_git_in_the_context(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    result = dockerfix.fix(
        NAIVE, str(make(tmp_path, {"go.mod": GO_MOD, "main.go": VCS_MAIN}) / "Dockerfile")
    )
    (ignore,) = result.created_files.values()
    lines = ignore.splitlines()
    assert ".git" not in lines
    assert any("not excluded" in ln and "vcs.revision" in ln for ln in lines)
    # without the stamp read, .git is left out as usual
    plain = fix(tmp_path / "plain", {"main.go": main_go('\tfmt.Println("hi")')})
    assert ".git" in next(iter(plain.created_files.values())).splitlines()


@pytest.mark.parametrize(
    ("body", "unfollowed"),
    [
        # the environment, or a literal default the literal scan follows
        (
            '\tdir := os.Getenv("DATA")\n\tif dir == "" {\n\t\tdir = "data"\n\t}\n'
            '\tb, _ := os.ReadFile(filepath.Join(dir, "x.txt"))\n\tfmt.Println(b)',
            [],
        ),
        # a flag's value, in a Join
        (
            '\tdir := flag.String("dir", "", "")\n\tflag.Parse()\n'
            '\tb, _ := os.ReadFile(filepath.Join(*dir, "x.txt"))\n\tfmt.Println(b)',
            [],
        ),
        # a name computed from the loop: not followed
        (
            '\tfor _, n := range []string{"a", "b"} {\n'
            "\t\tb, _ := os.ReadFile(n + suffix())\n\t\tfmt.Println(b)\n\t}",
            ["os.ReadFile(n + suffix()) in main.go:"],
        ),
    ],
)
def test_reads_that_need_no_following(tmp_path: Path, body: str, unfollowed: list[str]) -> None:
    src = main_go(body, '"flag"\n\t"fmt"\n\t"os"\n\t"path/filepath"')
    files = {"go.mod": GO_MOD, "main.go": src, "data/x.txt": "x"}
    bc = analyze_context(make(tmp_path, files))
    assert [u.rpartition(":")[0] + ":" for u in bc.unfollowed_reads] == unfollowed
