"""``go build`` and friends inside RUN shell text: finding, reading and editing them."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dockerfix.facts.gocmd import (
    GoCommand,
    _missing_link_flags,
    default_binary_name,
    exported_env,
    find_go_commands,
    ldflags_blocker,
    ldflags_fields,
    merge_ldflags,
    sets_cgo,
)


def one(text: str, subcommand: str = "build") -> GoCommand:
    found = [c for c in find_go_commands(text) if c.subcommand == subcommand]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- finding

FIND = [
    # text, subcommand, env, output, packages, ldflags
    ("go build", "build", {}, None, (), None),
    ("go build .", "build", {}, None, (".",), None),
    ("go build -o /app ./cmd/app", "build", {}, "/app", ("./cmd/app",), None),
    ("go build -o=/app .", "build", {}, "/app", (".",), None),
    ("go build --o /app .", "build", {}, "/app", (".",), None),
    (
        "CGO_ENABLED=0 GOOS=linux go build -o main .",
        "build",
        {"CGO_ENABLED": "0", "GOOS": "linux"},
        "main",
        (".",),
        None,
    ),
    ("env CGO_ENABLED=0 go build .", "build", {"CGO_ENABLED": "0"}, None, (".",), None),
    ("env -i -u X A=1 go build .", "build", {"A": "1"}, None, (".",), None),
    ("/usr/local/go/bin/go build .", "build", {}, None, (".",), None),
    ("xx-go build -o /out/x ./cmd/x", "build", {}, "/out/x", ("./cmd/x",), None),
    ("go1.22.3 build .", "build", {}, None, (".",), None),
    ("time go build .", "build", {}, None, (".",), None),
    ("go build -ldflags '-w -s' .", "build", {}, None, (".",), "-w -s"),
    ('go build -ldflags="-X main.v=1" .', "build", {}, None, (".",), "-X main.v=1"),
    ("go build -ldflags=-s .", "build", {}, None, (".",), "-s"),
    ('go build -ldflags "$LDFLAGS" .', "build", {}, None, (".",), "$LDFLAGS"),
    ("go build --ldflags '-s' -ldflags '-w' .", "build", {}, None, (".",), "-w"),
    ("go build main.go util.go", "build", {}, None, ("main.go", "util.go"), None),
    ("go mod download", "mod download", {}, None, (), None),
    ("go mod download -x", "mod download", {}, None, (), None),
    ("go install github.com/x/y@latest", "install", {}, None, ("github.com/x/y@latest",), None),
    ("go generate ./...", "generate", {}, None, ("./...",), None),
    ("go test -v ./... -run X", "test", {}, None, ("./...",), None),
]


@pytest.mark.parametrize(("text", "sub", "env", "output", "packages", "ldflags"), FIND)
def test_find_go_commands(
    text: str,
    sub: str,
    env: dict[str, str],
    output: str | None,
    packages: tuple[str, ...],
    ldflags: str | None,
) -> None:
    cmd = one(text, sub)
    assert cmd.env == env
    assert cmd.output == output
    assert cmd.packages == packages
    assert cmd.ldflags == ldflags
    assert text[cmd.start : cmd.end] == cmd.raw == text.strip()


NOT_GO = [
    "echo go build",
    "gofmt -l .",
    "golangci-lint run",
    "command -v go",
    "sh -c 'go build .'",
    "echo $(go build .)",
    "$GO build .",
    "cargo build",
]


@pytest.mark.parametrize("text", NOT_GO)
def test_not_go_commands(text: str) -> None:
    assert [c for c in find_go_commands(text) if c.subcommand == "build"] == []


def test_commands_in_lists_and_heredocs_have_offsets_into_the_text() -> None:
    text = (
        "set -eux; go mod download && \\\n"
        "    CGO_ENABLED=0 go build -o /bin/app ./cmd/app | tee log\n"
        "if true; then go vet ./...; fi"
    )
    cmds = find_go_commands(text)
    assert [c.subcommand for c in cmds] == ["mod download", "build", "vet"]
    build = cmds[1]
    assert build.raw == "CGO_ENABLED=0 go build -o /bin/app ./cmd/app"
    assert text[build.start : build.end] == build.raw
    o = build.output_flag
    assert o is not None
    assert text[o.start : o.end] == "-o /bin/app"
    assert o.value_span is not None
    assert text[o.value_span[0] : o.value_span[1]] == "/bin/app"
    doc = "<<EOF\nset -e\ngo build -o /x .\nEOF\n"
    [c] = find_go_commands(doc)
    assert doc[c.start : c.end] == "go build -o /x ."


def test_flags_spans_and_booleans() -> None:
    text = "go build -a -trimpath=false -tags 'netgo osusergo' -ldflags=\"-s -w\" -C src ."
    cmd = one(text)
    assert cmd.rebuild_all
    assert not cmd.trimpath
    assert cmd.tags == "netgo osusergo"
    assert cmd.has_flag("C")
    span = cmd.ldflags_span
    assert span is not None
    assert text[span[0] : span[1]] == '"-s -w"'
    assert [f.form for f in cmd.flags] == ["bool", "equals", "separate", "equals", "separate"]


def test_flag_parsing_stops_at_the_first_package_except_for_go_test() -> None:
    build = one("go build . -o x")
    assert build.output is None
    assert build.packages == (".", "-o", "x")
    test = one("go test ./... -run TestX -count=1", "test")
    assert test.packages == ("./...",)
    assert test.flag("run") is not None


def test_go_run_program_args() -> None:
    run = one("go run ./cmd/tool -o out.txt", "run")
    assert run.packages == ("./cmd/tool",)
    assert [w.text for w in run.program_args] == ["-o", "out.txt"]
    files = one("go run main.go helper.go --flag", "run")
    assert files.packages == ("main.go", "helper.go")


def test_dynamic_args_are_reported() -> None:
    cmd = one("xx-go build ${GOBUILDFLAGS} -o /out ./cmd/x")
    assert [w.raw for w in cmd.dynamic_args] == ["${GOBUILDFLAGS}"]
    assert cmd.output == "/out"
    assert cmd.packages == ("./cmd/x",)
    quoted = one('go build -o /out "$PKG"')
    assert quoted.packages == ("$PKG",)
    assert quoted.package_values == [None]


# --------------------------------------------------------------------------- environment


def test_exported_env() -> None:
    text = "export CGO_ENABLED=0 GOOS=linux; export X; declare -x Y=2; export Z='a b'"
    assert exported_env(text) == {"CGO_ENABLED": "0", "GOOS": "linux", "Y": "2", "Z": "a b"}


SETS_CGO = [
    ("go build .", None),
    ("CGO_ENABLED=0 go build .", "0"),
    ("export CGO_ENABLED=1; go build .", "1"),
    ("export CGO_ENABLED=1 && CGO_ENABLED=0 go build .", "0"),
    ("CGO_ENABLED=0; go build .", "0"),
    ("env CGO_ENABLED=1 go build .", "1"),
    ("go env -w CGO_ENABLED=0 && go build .", "0"),
    ("go build . && export CGO_ENABLED=1", None),
    ("export CGO_ENABLED=1", "1"),
    ("CGO_ENABLED=1 go mod download", "1"),
    ('CGO_ENABLED="${CGO}" go build .', "${CGO}"),
]


@pytest.mark.parametrize(("text", "expected"), SETS_CGO)
def test_sets_cgo(text: str, expected: str | None) -> None:
    assert sets_cgo(text) == expected


# --------------------------------------------------------------------------- -ldflags

MERGE = [
    # absent: inserted right after the subcommand
    ("go build -o /app .", "go build -ldflags '-w -s' -o /app ."),
    ("go build", "go build -ldflags '-w -s'"),
    ("CGO_ENABLED=0 go install ./cmd/x", "CGO_ENABLED=0 go install -ldflags '-w -s' ./cmd/x"),
    ("go build -C src -o x .", "go build -C src -ldflags '-w -s' -o x ."),
    # single quotes
    ("go build -ldflags '-X main.v=1' .", "go build -ldflags '-X main.v=1 -w -s' ."),
    ("go build -ldflags '-s' .", "go build -ldflags '-s -w' ."),
    ("go build -ldflags='-w' .", "go build -ldflags='-w -s' ."),
    ("go build -ldflags '' .", "go build -ldflags '-w -s' ."),
    # double quotes
    ('go build -ldflags="-X main.v=$V" .', 'go build -ldflags="-X main.v=$V -w -s" .'),
    ('go build -ldflags "-extldflags \'-static\'" .',
     'go build -ldflags "-extldflags \'-static\' -w -s" .'),
    ('"-ldflags=-X a=b"', '"-ldflags=-X a=b"'),  # not a go command: unchanged below
    # unquoted
    ("go build -ldflags=-s .", "go build -ldflags='-s -w' ."),
    ("go build -ldflags -X=a.b=c .", "go build -ldflags '-X=a.b=c -w -s' ."),
    # variables
    ('go build -ldflags "$LDFLAGS" .', 'go build -ldflags "$LDFLAGS -w -s" .'),
    ('go build -ldflags "${LDFLAGS}" .', 'go build -ldflags "${LDFLAGS} -w -s" .'),
    ("go build -ldflags $LDFLAGS .", 'go build -ldflags "$LDFLAGS -w -s" .'),
    ("go build -ldflags=${LDFLAGS} .", 'go build -ldflags="${LDFLAGS} -w -s" .'),
    # mixed quoting: a quoted segment is appended
    ('go build -ldflags "-X a=b"$EXTRA .', "go build -ldflags \"-X a=b\"$EXTRA' -w -s' ."),
    # only the last -ldflags counts, and only it is edited
    ("go build -ldflags '-s -w' -ldflags '-X a=b' .",
     "go build -ldflags '-s -w' -ldflags '-X a=b -w -s' ."),
    # already there in some form: unchanged
    ("go build -ldflags '-w -s' .", "go build -ldflags '-w -s' ."),
    ("go build -ldflags '-s -w' .", "go build -ldflags '-s -w' ."),
    ("go build -ldflags '-w=true --s' .", "go build -ldflags '-w=true --s' ."),
    ('go build -ldflags "-s -w -X main.v=${VERSION}" .',
     'go build -ldflags "-s -w -X main.v=${VERSION}" .'),
    # switched off, or hidden inside another flag's value: added
    ("go build -ldflags '-s=false -w' .", "go build -ldflags '-s=false -w -s' ."),
    ("go build -ldflags '-extldflags -s' .", "go build -ldflags '-extldflags -s -w -s' ."),
    # continuation lines inside the value
    ('go build -ldflags "-X a=b \\\n  -X c=d" .',
     'go build -ldflags "-X a=b \\\n  -X c=d -w -s" .'),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), MERGE)
def test_merge_ldflags(text: str, expected: str) -> None:
    cmds = [c for c in find_go_commands(text) if c.is_build]
    if not cmds:
        assert text == expected
        return
    assert merge_ldflags(text, cmds[0]) == expected
    [again] = [c for c in find_go_commands(expected) if c.is_build]
    assert merge_ldflags(expected, again) == expected


def test_merge_ldflags_edits_only_its_command() -> None:
    text = "go build -o a ./a && go build -ldflags '-X v=1' -o b ./b # keep me"
    cmds = find_go_commands(text)
    out = merge_ldflags(text, cmds[1])
    assert out == "go build -o a ./a && go build -ldflags '-X v=1 -w -s' -o b ./b # keep me"


def test_merge_ldflags_custom_flags() -> None:
    text = "go build -ldflags '-X a=b' ."
    assert merge_ldflags(text, one(text), add=("-s",)) == "go build -ldflags '-X a=b -s' ."


def test_merge_ldflags_refuses_foreign_and_blocked_commands() -> None:
    cmd = one("go build .")
    with pytest.raises(ValueError, match="does not belong"):
        merge_ldflags("go build -o x .", cmd)
    mod = one("go mod download", "mod download")
    assert ldflags_blocker("go mod download", mod) == "`go mod download` does not link a binary"
    with pytest.raises(ValueError, match="does not link"):
        merge_ldflags("go mod download", mod)
    text = 'export GOFLAGS="-ldflags=-X=a=b"; go build .'
    blocked = one(text)
    reason = ldflags_blocker(text, blocked)
    assert reason is not None
    assert "GOFLAGS" in reason
    inline = 'GOFLAGS="-ldflags=-X=a=b" go build -ldflags=-s .'
    assert ldflags_blocker(inline, one(inline)) is None  # command line -ldflags wins already
    dangling = "go build -ldflags '-s -X' ."
    assert ldflags_blocker(dangling, one(dangling)) == (
        "the -ldflags value ends with -X, which expects a value"
    )


LDFLAGS_FIELDS = [
    ("-s -w", ["-s", "-w"]),
    ("  -X  a=b\t-s\n", ["-X", "a=b", "-s"]),
    ("-extldflags '-static -lm' -s", ["-extldflags", "-static -lm", "-s"]),
    ('-extldflags "-static" -w', ["-extldflags", "-static", "-w"]),
    ("-X 'a=b c'", ["-X", "a=b c"]),
    ("-X a='b c'", ["-X", "a='b", "c'"]),  # quotes only count at the start of a field
    ("", []),
]


@pytest.mark.parametrize(("value", "fields"), LDFLAGS_FIELDS)
def test_ldflags_fields(value: str, fields: list[str]) -> None:
    assert ldflags_fields(value) == fields


# --------------------------------------------------------------------------- binary names

BINARY_NAMES = [
    # module, package, workdir_rel, expected
    ("example.com/app", None, ".", "app"),
    ("example.com/app", ".", ".", "app"),
    ("example.com/app", "./", ".", "app"),
    ("example.com/foo/v2", None, ".", "foo"),
    ("example.com/foo/v2", ".", ".", "foo"),
    ("example.com/foo/v10", ".", ".", "foo"),
    ("example.com/foo/v1", ".", ".", "v1"),
    ("example.com/foo/v0", ".", ".", "v0"),
    ("example.com/foo/v05", ".", ".", "v05"),
    ("v2", ".", ".", "v2"),
    ("example.com/app", "./cmd/server", ".", "server"),
    ("example.com/app", "cmd/server", ".", "server"),
    ("example.com/app", "./cmd/server/", ".", "server"),
    ("example.com/app", ".", "cmd/server", "server"),
    ("example.com/app", "..", "cmd/server", "cmd"),
    ("example.com/app", "../..", "cmd/server", "app"),
    ("example.com/app", "../../..", "cmd/server", None),
    ("example.com/app/v3", "./cmd/v2", ".", "cmd"),
    (None, "./cmd/server", ".", "server"),
    (None, ".", ".", None),
    (None, None, ".", None),
    ("example.com/app", "github.com/x/tool/cmd/tool", ".", "tool"),
    ("example.com/app", "github.com/x/tool/v2", ".", "tool"),
    ("example.com/app", "github.com/x/tool/cmd/tool@v1.2.3", ".", "tool"),
    ("example.com/app", "github.com/VictoriMetrics/vmui/", ".", "vmui"),
    ("example.com/app", "main.go", ".", "main"),
    ("example.com/app", "cmd/server/main.go", ".", "main"),
    ("example.com/app", ["server.go", "util.go"], ".", "server"),
    ("example.com/app", "server.go util.go", ".", "server"),
    ("example.com/app", "./...", ".", None),
    ("example.com/app", ["./cmd/a", "./cmd/b"], ".", None),
    ("example.com/app", "./cmd/$NAME", ".", None),
    ("example.com/app", "${PKG}", ".", None),
    ("example.com/app", "*.go", ".", None),
    ("example.com/app", "/app/cmd/server", ".", None),
    ("example.com/app", "std", ".", None),
]


@pytest.mark.parametrize(("module", "package", "workdir", "expected"), BINARY_NAMES)
def test_default_binary_name(
    module: str | None, package: str | list[str] | None, workdir: str, expected: str | None
) -> None:
    assert default_binary_name(module, package, workdir) == expected


def test_default_binary_name_windows() -> None:
    assert default_binary_name("example.com/app", ".", goos="windows") == "app.exe"


# --------------------------------------------------------------------------- properties

_ldflag_values = st.lists(
    st.sampled_from(
        ["-s", "-w", "-s=false", "-w=true", "-X", "main.v=1", "-extldflags", "-static", "$LDFLAGS",
         "${V}", "-X=a.b=c", "--s", "-linkmode=external", "'-lm -lz'"]
    ),
    max_size=6,
).map(" ".join)  # fmt: skip
_quoting = st.sampled_from(["'{}'", '"{}"', "{}", "={}", "='{}'", '="{}"'])


@st.composite
def go_build_lines(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["", "CGO_ENABLED=0 ", "env GOOS=linux ", "set -e; "]))
    flags: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        value = draw(_ldflag_values)
        form = draw(_quoting)
        if "'" in value and form.count("'"):
            form = '"{}"'
        rendered = form.format(value)
        if not rendered.startswith("="):
            rendered = " " + rendered
        if form == "{}" and (not value or " " in value):
            rendered = " '" + value + "'"
        flags.append(draw(st.sampled_from(["-ldflags", "--ldflags"])) + rendered)
    other = draw(
        st.lists(st.sampled_from(["-o /app", "-trimpath", "-tags netgo", "-a"]), max_size=2)
    )
    pkg = draw(st.sampled_from(["", " .", " ./cmd/app", " main.go"]))
    parts = [*other[:1], *flags, *other[1:]]
    suffix = draw(st.sampled_from(["", " && echo done", " | tee log"]))
    return f"{prefix}go build {' '.join(parts)}{pkg}{suffix}".replace("  ", " ")


@given(go_build_lines())
def test_merge_ldflags_is_idempotent_and_never_adds_a_second_ldflags(text: str) -> None:
    [cmd] = [c for c in find_go_commands(text) if c.subcommand == "build"]
    assume(ldflags_blocker(text, cmd) is None)  # e.g. a value ending with a bare "-X"
    before = sum(1 for f in cmd.flags if f.name == "ldflags")
    merged = merge_ldflags(text, cmd)
    [after] = [c for c in find_go_commands(merged) if c.subcommand == "build"]
    assert sum(1 for f in after.flags if f.name == "ldflags") == max(before, 1)
    assert merge_ldflags(merged, after) == merged
    assert _missing_link_flags(after.ldflags or "", ("-w", "-s")) == []
    # everything outside the command is untouched
    assert merged[: cmd.start] == text[: cmd.start]
    assert merged[len(merged) - (len(text) - cmd.end) :] == text[cmd.end :]


@given(st.text(max_size=80))
def test_finders_never_raise(text: str) -> None:
    for cmd in find_go_commands(text):
        assert text[cmd.start : cmd.end] == cmd.raw
    exported_env(text)
    sets_cgo(text)


@given(st.text(alphabet="go build -ldflags'\"$ =sw\\\n;&|", max_size=60))
def test_merge_never_raises_unexpectedly(text: str) -> None:
    for cmd in find_go_commands(text):
        if ldflags_blocker(text, cmd) is None:
            merge_ldflags(text, cmd)
