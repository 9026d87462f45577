"""The build context near a Dockerfile: go.mod, cgo, embeds, run-time files, limits."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from dockerfix.facts import walk as walkmod
from dockerfix.facts.context import (
    BuildContext,
    GoMod,
    Replace,
    Require,
    RuntimeFile,
    analyze_context,
    parse_go_mod,
)
from dockerfix.facts.gocmd import default_binary_name


def make(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def analyze(tmp_path: Path, files: Mapping[str, str | bytes]) -> BuildContext:
    return analyze_context(make(tmp_path, files))


MAIN = "package main\n\nfunc main() {}\n"

# --------------------------------------------------------------------------- go.mod

GOMOD = """\
// A comment line.
module "example.com/foo/v2" // trailing comment

go 1.22.1
toolchain go1.22.3

require github.com/single/line v1.0.0

require (
\tgithub.com/gin-gonic/gin v1.9.1
\tgithub.com/mattn/go-sqlite3 v1.14.22 // indirect
\t// a comment inside the block
\t"example.com/quoted" v0.1.0
)

replace github.com/gin-gonic/gin => ../gin

replace (
\texample.com/a v1.0.0 => example.com/b v1.1.0
\texample.com/c => ./local/c
)

exclude example.com/bad v0.0.1
retract v2.0.1
"""


def test_parse_go_mod() -> None:
    mod = parse_go_mod(GOMOD)
    assert mod.module == "example.com/foo/v2"
    assert mod.go_version == "1.22.1"
    assert mod.toolchain == "go1.22.3"
    assert mod.requires == (
        Require("github.com/single/line", "v1.0.0"),
        Require("github.com/gin-gonic/gin", "v1.9.1"),
        Require("github.com/mattn/go-sqlite3", "v1.14.22", indirect=True),
        Require("example.com/quoted", "v0.1.0"),
    )
    assert mod.replaces == (
        Replace("github.com/gin-gonic/gin", None, "../gin", None),
        Replace("example.com/a", "v1.0.0", "example.com/b", "v1.1.0"),
        Replace("example.com/c", None, "./local/c", None),
    )
    assert [r.is_local for r in mod.replaces] == [True, False, True]
    assert mod.directory == "."


GOMOD_ODDITIES = [
    ("", None, ()),
    ("module x\n", "x", ()),
    ("module x\nrequire (\n)\n", "x", ()),
    ("module x\nrequire ( a v1 )\n", "x", ("a",)),
    ("module x\r\nrequire a v1\r\n", "x", ("a",)),
    ("garbage ( ( )\nmodule y\n", "y", ()),
    ("require (\n a v1\n", None, ("a",)),  # unterminated block
]


@pytest.mark.parametrize(("text", "module", "requires"), GOMOD_ODDITIES)
def test_parse_go_mod_is_tolerant(text: str, module: str | None, requires: tuple[str, ...]) -> None:
    mod = parse_go_mod(text)
    assert mod.module == module
    assert tuple(mod.require_paths) == requires


def test_module_files_and_major_version(tmp_path: Path) -> None:
    ctx = analyze(
        tmp_path,
        {
            "go.mod": "module example.com/foo/v2\n\ngo 1.22\n",
            "go.sum": "",
            "main.go": MAIN,
            ".dockerignore": ".git\n",
        },
    )
    assert isinstance(ctx.go_mod, GoMod)
    assert ctx.module_path == "example.com/foo/v2"
    assert ctx.has_go_sum
    assert ctx.has_go_files
    assert not ctx.has_vendor
    assert ctx.dockerignore_exists
    assert ctx.dockerignore_files == [".dockerignore"]
    assert ctx.main_package_dirs == ["."]
    assert default_binary_name(ctx.module_path, ".") == "foo"
    assert ctx.cgo_reasons == []


def test_module_packages(tmp_path: Path) -> None:
    """Main packages as built for linux; a nested module's packages are not the root's."""
    ctx = analyze(
        tmp_path,
        {
            "go.mod": "module example.com/shop\n\ngo 1.22\n",
            "cmd/api/main.go": MAIN,
            "cmd/api/main_test.go": "package main_test\n",
            "store/store.go": "package store\n",
            "store/gen.go": "//go:build ignore\n\npackage main\n\nfunc main() {}\n",
            "tools/tools.go": "//go:build tools\n\npackage main\n",
            "plugin/go.mod": "module example.com/plugin\n\ngo 1.22\n",
            "plugin/main.go": MAIN,
        },
    )
    assert ctx.main_package_dirs == ["cmd/api", "plugin"]
    assert ctx.module_packages == {"cmd/api": True, "store": False, "tools": False}
    (tmp_path / "go.work").write_text("go 1.22\n\nuse (\n\t.\n\t./plugin\n)\n")
    assert analyze_context(tmp_path).module_packages is None


def test_empty_and_missing_directories(tmp_path: Path) -> None:
    empty = analyze_context(tmp_path)
    assert empty.go_mod is None
    assert not empty.has_go_files
    assert empty.files == []
    missing = analyze_context(tmp_path / "nope")
    assert missing.notes
    assert missing.go_mod is None


def test_only_test_files_are_not_go_files(tmp_path: Path) -> None:
    ctx = analyze(tmp_path, {"x_test.go": "package x\n"})
    assert not ctx.has_go_files


# --------------------------------------------------------------------------- cgo

CGO_GOMOD = [
    ("github.com/mattn/go-sqlite3 v1.14.22", True),
    ("github.com/mattn/go-sqlite3 v1.14.22 // indirect", True),
    ("github.com/confluentinc/confluent-kafka-go/v2 v2.3.0", True),
    ("gorm.io/driver/sqlite v1.5.0", True),
    ("github.com/linxGnu/grocksdb v1.8.0", True),
    ("modernc.org/sqlite v1.29.0", False),
    ("github.com/glebarez/sqlite v1.11.0", False),
    ("github.com/boltdb/bolt v1.3.1", False),
    ("go.etcd.io/bbolt v1.3.8", False),
    ("github.com/google/gopacket v1.1.19", False),  # only its pcap package needs cgo
    ("github.com/mattn/go-sqlite3-extra v1.0.0", False),  # a different module
]


@pytest.mark.parametrize(("require", "needs"), CGO_GOMOD)
def test_cgo_from_go_mod(tmp_path: Path, require: str, needs: bool) -> None:
    ctx = analyze(tmp_path, {"go.mod": f"module m\n\nrequire {require}\n", "main.go": MAIN})
    assert bool(ctx.cgo_reasons) is needs, ctx.cgo_reasons
    if needs:
        assert ctx.cgo_reasons[0].startswith("go.mod requires ")
        assert ctx.needs_cgo


def test_cgo_package_import(tmp_path: Path) -> None:
    layers = (
        'package main\nimport "github.com/google/gopacket/layers"\nfunc main() { _ = layers.X }\n'
    )
    pcap = 'package main\nimport (\n\t"fmt"\n\tp "github.com/google/gopacket/pcap"\n)\n'
    gomod = "module m\nrequire github.com/google/gopacket v1.1.19\n"
    assert analyze(tmp_path / "a", {"go.mod": gomod, "main.go": layers}).cgo_reasons == []
    reasons = analyze(tmp_path / "b", {"go.mod": gomod, "main.go": pcap}).cgo_reasons
    assert reasons == ["main.go imports github.com/google/gopacket/pcap: wraps libpcap"]


IMPORT_C = [
    ({"c.go": 'package c\n\n// #include <stdio.h>\nimport "C"\n'}, True),
    ({"c.go": 'package c\n\nimport (\n\t"fmt"\n\t"C"\n)\n'}, True),
    ({"c_test.go": 'package c\n\nimport "C"\n'}, False),
    ({"c_windows.go": 'package c\n\nimport "C"\n'}, False),
    ({"c_darwin_arm64.go": 'package c\n\nimport "C"\n'}, False),
    ({"c_linux.go": 'package c\n\nimport "C"\n'}, True),
    ({"c.go": '//go:build windows || darwin\n\npackage c\n\nimport "C"\n'}, False),
    ({"c.go": '//go:build linux && cgo\n\npackage c\n\nimport "C"\n'}, True),
    ({"c.go": '// +build darwin\n\npackage c\n\nimport "C"\n'}, False),
    ({"c.go": '//go:build ignore\n\npackage c\n\nimport "C"\n'}, False),
    ({"c.go": '//go:build !cgo\n\npackage c\n\nimport "C"\n'}, False),
    # a cgo file with a pure-Go fallback for CGO_ENABLED=0
    (
        {
            "c_cgo.go": '//go:build cgo\n\npackage c\n\nimport "C"\n',
            "c_nocgo.go": "//go:build !cgo\n\npackage c\n",
        },
        False,
    ),
    ({"c.go": 'package c\n\n// import "C"\nvar s = `import "C"`\n'}, False),
    ({"testdata/c.go": 'package c\nimport "C"\n'}, False),
    ({"_hidden/c.go": 'package c\nimport "C"\n'}, False),
    ({"node_modules/x/c.go": 'package c\nimport "C"\n'}, False),
    ({"vendor/x/c.go": 'package c\nimport "C"\n'}, False),
]


@pytest.mark.parametrize(("files", "needs"), IMPORT_C)
def test_import_c(tmp_path: Path, files: dict[str, str | bytes], needs: bool) -> None:
    ctx = analyze(tmp_path, {"go.mod": "module m\n", **files})
    assert bool(ctx.cgo_reasons) is needs, ctx.cgo_reasons
    if needs:
        assert 'import "C"' in ctx.cgo_reasons[0]


def test_cgo_from_vendor_modules_txt(tmp_path: Path) -> None:
    ctx = analyze(
        tmp_path,
        {
            "go.mod": "module m\n",
            "vendor/modules.txt": "# github.com/mattn/go-sqlite3 v1.14.22\n## explicit\n",
            "main.go": MAIN,
        },
    )
    assert ctx.has_vendor
    assert ctx.vendor_dir_exists
    assert ctx.cgo_reasons == [
        "vendor/modules.txt lists github.com/mattn/go-sqlite3: "
        "SQLite driver; without cgo it only returns an error"
    ]


def test_vendor_without_modules_txt_is_noted(tmp_path: Path) -> None:
    ctx = analyze(tmp_path, {"go.mod": "module m\n", "vendor/x.txt": ""})
    assert not ctx.has_vendor
    assert ctx.vendor_dir_exists
    assert "vendor/ exists but has no modules.txt" in ctx.notes


def test_nested_modules_count_only_with_go_work_or_without_a_root_module(tmp_path: Path) -> None:
    tools = {"tools/go.mod": "module tools\nrequire github.com/mattn/go-sqlite3 v1.0.0\n"}
    with_root = analyze(tmp_path / "a", {"go.mod": "module m\n", "main.go": MAIN, **tools})
    assert with_root.cgo_reasons == []
    assert [m.path for m in with_root.go_mods] == ["go.mod", "tools/go.mod"]
    no_root = analyze(tmp_path / "b", tools)
    assert no_root.cgo_reasons
    work = analyze(
        tmp_path / "c",
        {"go.mod": "module m\n", "go.work": "go 1.22\nuse (\n\t.\n\t./tools\n)\n", **tools},
    )
    assert work.has_go_work
    assert work.cgo_reasons
    assert work.cgo_reasons[0].startswith("tools/go.mod requires")


# --------------------------------------------------------------------------- embed

EMBED_SRC = """\
package main

import "embed"

//go:embed static/* templates
var assets embed.FS

//go:embed "file with space.txt" `raw.txt`
var extra embed.FS

//go:embed all:public
var public embed.FS

// go:embed not-a-directive
//go:embedded not-a-directive-either
"""


def test_embed_patterns(tmp_path: Path) -> None:
    ctx = analyze(
        tmp_path,
        {
            "go.mod": "module m\n",
            "cmd/web/main.go": EMBED_SRC,
            "cmd/web/main_test.go": "package main\n//go:embed testdata/x\nvar x string\n",
        },
    )
    assert ctx.embed_patterns == [
        ("cmd/web", "static/*"),
        ("cmd/web", "templates"),
        ("cmd/web", "file with space.txt"),
        ("cmd/web", "raw.txt"),
        ("cmd/web", "all:public"),
    ]


# --------------------------------------------------------------------------- run-time files

RUNTIME_SRC = """\
package main

import (
	"html/template"
	"net/http"
	o "os"

	"github.com/gin-gonic/gin"
	"github.com/joho/godotenv"
	"github.com/spf13/viper"
	"github.com/golang-migrate/migrate/v4"
)

func main() {
	_ = godotenv.Load()
	t := template.Must(template.ParseGlob("templates/*.html"))
	_, _ = o.ReadFile("./config/app.yaml")
	_, _ = o.ReadFile("/etc/hosts")
	_, _ = o.ReadFile("https://example.com/x")
	_, _ = o.ReadFile(name)
	_, _ = o.ReadFile("data/" + name)
	_, _ = o.Open("state/db.json")
	http.Handle("/s/", http.FileServer(http.Dir("./public")))
	r := gin.Default()
	r.Static("/assets", "./assets")
	r.LoadHTMLFiles("views/a.html", "views/b.html")
	viper.SetConfigName("settings")
	viper.AddConfigPath(".")
	m, _ := migrate.New("file://db/migrations", dsn)
	// o.ReadFile("commented.txt")
	s := "o.ReadFile(\\"in-a-string.txt\\")"
	_ = t
	_ = m
	_ = s
}

//go:embed embedded
var files embed.FS

func embeddedToo() { _, _ = o.ReadFile("embedded/x.txt") }
"""


def test_runtime_files(tmp_path: Path) -> None:
    ctx = analyze(
        tmp_path,
        {
            "go.mod": "module m\n",
            "main.go": RUNTIME_SRC,
            ".env": "A=1\n",
            "templates/index.html": "",
            "config/app.yaml": "",
            "public/index.html": "",
            "assets/app.css": "",
            "views/a.html": "",
            "views/b.html": "",
            "settings.yaml": "",
            "db/migrations/1_init.up.sql": "",
            "embedded/x.txt": "",
            "commented.txt": "",
            "in-a-string.txt": "",
            "main_test.go": 'package main\nfunc T() { os.ReadFile("testonly.txt") }\n',
            "testonly.txt": "",
        },
    )
    paths = [rf.path for rf in ctx.runtime_files]
    assert paths == [
        ".env",
        "assets",
        "config/app.yaml",
        "db/migrations",
        "public",
        "settings.yaml",
        "templates",
        "views/a.html",
        "views/b.html",
    ]
    reasons = {rf.path: rf.reason for rf in ctx.runtime_files}
    assert reasons["templates"] == 'template.ParseGlob("templates/*.html") in main.go:16'
    assert reasons[".env"].startswith("godotenv.Load() loads .env")
    assert reasons["assets"] == 'Static(…, "./assets") in main.go:25'
    assert all(isinstance(rf, RuntimeFile) for rf in ctx.runtime_files)
    assert [rf.path for rf in ctx.unresolved_runtime_files] == ["state/db.json"]


def test_runtime_files_relative_to_a_nested_module(tmp_path: Path) -> None:
    ctx = analyze(
        tmp_path,
        {
            "app/go.mod": "module m\n",
            "app/main.go": 'package main\nimport "os"\nfunc main() { os.ReadFile("conf.json") }\n',
            "app/conf.json": "{}",
        },
    )
    assert [rf.path for rf in ctx.runtime_files] == ["app/conf.json"]


# --------------------------------------------------------------------------- tz and tls


def test_timezones(tmp_path: Path) -> None:
    uses = 'package main\nimport "time"\nfunc main() { time.LoadLocation("Europe/Paris") }\n'
    utc = 'package main\nimport "time"\nfunc main() { time.LoadLocation("UTC") }\n'
    dynamic = 'package main\nimport "time"\nfunc f(n string) { time.LoadLocation(n) }\n'
    tzdata = 'package main\nimport _ "time/tzdata"\n'
    a = analyze(tmp_path / "a", {"main.go": uses})
    assert a.uses_timezones
    assert a.timezone_reasons == ['time.LoadLocation("Europe/Paris") in main.go:3']
    assert not analyze(tmp_path / "b", {"main.go": utc}).uses_timezones
    assert analyze(tmp_path / "c", {"main.go": dynamic}).uses_timezones
    d = analyze(tmp_path / "d", {"main.go": uses, "tz.go": tzdata})
    assert not d.uses_timezones
    assert d.embeds_tzdata


TLS = [
    ('package main\nimport "net/http"\nfunc main() { http.ListenAndServe(":80", nil) }\n', False),
    ('package main\nimport "net/http"\nfunc main() { http.Get("http://x") }\n', True),
    ('package main\nimport h "net/http"\nvar c = &h.Client{}\n', True),
    ('package main\nimport "crypto/tls"\nvar _ tls.Config\n', True),
    ('package main\nvar u = "https://api.example.com"\n', True),
    ('package main\n// see https://example.com\nvar u = "http://x"\n', False),
]


@pytest.mark.parametrize(("src", "expected"), TLS)
def test_tls(tmp_path: Path, src: str, expected: bool) -> None:
    ctx = analyze(tmp_path, {"main.go": src})
    assert ctx.uses_tls_or_https is expected, ctx.tls_reasons


def test_tls_from_sdk_requirement(tmp_path: Path) -> None:
    ctx = analyze(tmp_path, {"go.mod": "module m\nrequire github.com/aws/aws-sdk-go-v2 v1.30.0\n"})
    assert ctx.tls_reasons == ["go.mod requires github.com/aws/aws-sdk-go-v2 (an HTTPS API client)"]


# --------------------------------------------------------------------------- robustness


def test_large_binary_and_oddly_encoded_files(tmp_path: Path) -> None:
    big = 'package c\nimport "C"\n' + "// padding\n" * 120_000
    ctx = analyze(
        tmp_path,
        {
            "go.mod": "module m\n",
            "big/c.go": big,
            "bin/c.go": b'package c\x00import "C"\n',
            "latin1.go": "package main\n// caf\xe9\nfunc main() {}\n".encode("latin-1"),
            "bom.go": "\ufeffpackage main\n".encode(),
        },
    )
    assert ctx.cgo_reasons == []
    assert any("big/c.go" in n for n in ctx.notes)
    assert ctx.has_go_files


def test_git_and_node_modules_are_not_entered(tmp_path: Path) -> None:
    ctx = analyze(
        tmp_path,
        {".git/HEAD": "ref", "node_modules/a/index.js": "", "main.go": MAIN},
    )
    assert ".git" in ctx.dirs
    assert not any(f.startswith((".git/", "node_modules/")) for f in ctx.files)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_symlinks_loops_and_escapes(tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"secret.go": 'package s\nimport "C"\n'})
    root = make(tmp_path / "ctx", {"go.mod": "module m\n", "main.go": MAIN})
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    (root / "escape.go").symlink_to(outside / "secret.go")
    (root / "inside.go").symlink_to(root / "main.go")
    ctx = analyze_context(root)
    assert ctx.cgo_reasons == []
    assert "inside.go" in ctx.files
    assert "escape.go" not in ctx.files
    assert any("leaves the context" in n for n in ctx.notes)


@pytest.mark.skipif(
    sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="needs POSIX permissions and a non-root user",
)
def test_unreadable_files_are_tolerated(tmp_path: Path) -> None:
    root = make(tmp_path, {"go.mod": "module m\n", "main.go": MAIN, "locked/x.go": "package x"})
    (root / "secret.go").write_text('package main\nimport "C"\n')
    (root / "secret.go").chmod(0)
    (root / "locked").chmod(0)
    try:
        ctx = analyze_context(root)
    finally:
        (root / "secret.go").chmod(0o644)
        (root / "locked").chmod(0o755)
    assert ctx.cgo_reasons == []
    assert ctx.has_go_files


def test_file_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(walkmod, "MAX_FILES", 10)
    ctx = analyze(tmp_path, {f"f{i:02}.txt": "" for i in range(30)})
    assert ctx.truncated
    assert len(ctx.files) == 10


def test_deterministic(tmp_path: Path) -> None:
    make(tmp_path, {"go.mod": "module m\n", "b.go": MAIN, "a/x.go": "package a\n", "z.txt": ""})
    assert analyze_context(tmp_path) == analyze_context(tmp_path)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make(tmp_path, {"go.mod": "module m\n", "main.go": MAIN, "secret.go": 'import "C"'})
    real_open = open

    def guarded(file: object, *args: object, **kwargs: object) -> object:
        if str(file).endswith("secret.go"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", guarded)
    ctx = analyze_context(root)
    assert ctx.cgo_reasons == []
    assert any("secret.go" in n for n in ctx.notes)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_fifos_and_dangling_links_are_not_read(tmp_path: Path) -> None:
    root = make(tmp_path, {"go.mod": "module m\n", "main.go": MAIN})
    os.mkfifo(root / "pipe.go")
    (root / "dangling.go").symlink_to(root / "missing.go")
    ctx = analyze_context(root)  # would hang if the pipe were opened
    assert ctx.has_go_files


# -- the user cache of analysed contexts ------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(folder))
    return folder


def test_an_unchanged_context_is_read_from_the_cache(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockerfix.facts import context as contextmod
    from dockerfix.facts import contextcache

    root = make(tmp_path / "ctx", {"go.mod": "module m\n", "main.go": MAIN})
    first = contextcache.cached_analysis(str(root))
    assert len(list(contextcache.entries())) == 1

    def no_analysis(*args: object, **kwargs: object) -> BuildContext:
        raise AssertionError("analysed again")

    monkeypatch.setattr(contextmod, "analyze_context", no_analysis)
    assert contextcache.cached_analysis(str(root)) == first


@pytest.mark.parametrize("change", ["edit", "add", "remove"])
def test_any_changed_file_makes_a_new_analysis(tmp_path: Path, cache: Path, change: str) -> None:
    from dockerfix.facts import contextcache

    files = {"go.mod": "module m\n", "main.go": MAIN, "c.go": "package main\n"}
    root = make(tmp_path / "ctx", files)
    assert not contextcache.cached_analysis(str(root)).needs_cgo
    if change == "edit":
        (root / "c.go").write_text('package main\n\nimport "C"\n')
    elif change == "add":
        (root / "d.go").write_text('package main\n\nimport "C"\n')
    else:
        (root / "c.go").unlink()
    again = contextcache.cached_analysis(str(root))
    assert again == analyze_context(root)
    assert again.needs_cgo == (change != "remove")


def test_a_corrupt_or_unwritable_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockerfix.facts import contextcache

    root = make(tmp_path / "ctx", {"go.mod": "module m\n", "main.go": MAIN})
    folder = tmp_path / "cache"
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(folder))
    expected = contextcache.cached_analysis(str(root))
    (entry,) = contextcache.entries()
    Path(entry).write_bytes(b"not a pickle")
    assert contextcache.cached_analysis(str(root)) == expected
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(blocker))  # no folder can be made there
    assert contextcache.cached_analysis(str(root)) == expected


def test_a_changed_context_rescans_only_the_changed_files(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockerfix.facts import context as contextmod
    from dockerfix.facts import contextcache

    files = {
        "go.mod": "module m\n",
        "main.go": MAIN,
        "a.go": "package main\n",
        "b.go": "package main\n",
    }
    root = make(tmp_path / "ctx", files)
    contextcache.cached_analysis(str(root))
    scanned: list[str] = []
    real_scan = contextmod.scan_go

    def counting(rel: str, text: str) -> object:
        scanned.append(rel)
        return real_scan(rel, text)

    monkeypatch.setattr(contextmod, "scan_go", counting)
    (root / "b.go").write_text('package main\n\nimport "C"\n')
    again = contextcache.cached_analysis(str(root))
    assert scanned == ["b.go"]
    assert again.needs_cgo
    assert again == analyze_context(root)
