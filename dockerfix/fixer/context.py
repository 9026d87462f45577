"""The build context near a Dockerfile: what the Go project in it needs at build and run time.

:func:`analyze_context` reads (never executes) the files of a directory and answers the
questions the fixer rules ask before they change a Dockerfile:

* Is there a module (``go.mod``), a ``go.sum``, a vendor directory?
* Does the build need cgo (a cgo-only module, or ``import "C"``)? Then ``CGO_ENABLED=0``
  would break it.
* What do ``//go:embed`` directives embed, and which files does the program open by relative
  path at run time (templates, static files, config)? Those must reach the runtime stage.
* Does the program need time-zone data or CA certificates (it matters for ``scratch``)?

Reading is bounded: files over 1 MiB are skipped, the walk stops after 5,000 files, ``.git``
and ``node_modules`` are not entered, ``vendor`` is only noted (its ``modules.txt`` is read),
symbolic links to directories are not followed and symbolic links that leave the tree are
ignored. Unreadable files and odd encodings are tolerated; nothing raises for a bad project.

The Go source analysis is lexical (comments and string literals are understood, the code is
not type-checked), so it is a good guess, not a proof; every finding says where it came from.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import stat
from collections import deque
from collections.abc import Callable

from dockerfix.record import Record

__all__ = [
    "CGO_MODULES",
    "CGO_PACKAGES",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "BuildContext",
    "GoMod",
    "Replace",
    "Require",
    "RuntimeFile",
    "analyze_context",
    "parse_go_mod",
]

MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 5000

#: Modules that cannot work without cgo: they wrap a C library. Each is matched with or
#: without a major-version suffix (``/v2``). Pure-Go lookalikes are deliberately absent:
#: ``modernc.org/sqlite``, ``github.com/glebarez/sqlite``, ``go.etcd.io/bbolt``,
#: ``github.com/boltdb/bolt``, ``github.com/lib/pq``, ``github.com/jackc/pgx``.
CGO_MODULES: dict[str, str] = {
    "github.com/mattn/go-sqlite3": "SQLite driver; without cgo it only returns an error",
    "gorm.io/driver/sqlite": "GORM's SQLite driver, built on mattn/go-sqlite3",
    "github.com/mutecomm/go-sqlcipher": "SQLCipher driver, wraps C SQLite",
    "github.com/xeodou/go-sqlcipher": "SQLCipher driver, wraps C SQLite",
    "github.com/marcboeker/go-duckdb": "embeds the DuckDB C++ library",
    "github.com/duckdb/duckdb-go": "embeds the DuckDB C++ library",
    "github.com/confluentinc/confluent-kafka-go": "wraps librdkafka",
    "github.com/tecbot/gorocksdb": "wraps RocksDB",
    "github.com/linxGnu/grocksdb": "wraps RocksDB",
    "github.com/mattn/go-oci8": "Oracle driver, wraps OCI",
    "github.com/godror/godror": "Oracle driver, wraps ODPI-C",
    "github.com/DataDog/zstd": "wraps libzstd",
    "github.com/valyala/gozstd": "wraps libzstd",
    "github.com/davidbyttow/govips": "wraps libvips",
    "github.com/h2non/bimg": "wraps libvips",
    "gopkg.in/gographics/imagick.v2": "wraps ImageMagick",
    "gopkg.in/gographics/imagick.v3": "wraps ImageMagick",
    "github.com/gographics/imagick": "wraps ImageMagick",
    "gocv.io/x/gocv": "wraps OpenCV",
    "github.com/ceph/go-ceph": "wraps the Ceph C libraries",
    "github.com/libgit2/git2go": "wraps libgit2",
    "github.com/miekg/pkcs11": "PKCS#11 through cgo",
    "github.com/seccomp/libseccomp-golang": "wraps libseccomp",
    "github.com/pebbe/zmq4": "wraps libzmq",
    "github.com/zeromq/goczmq": "wraps CZMQ",
    "github.com/wasmerio/wasmer-go": "embeds Wasmer through its C API",
    "github.com/bytecodealliance/wasmtime-go": "embeds Wasmtime through its C API",
    "github.com/go-gl/gl": "OpenGL bindings",
    "github.com/go-gl/glfw": "GLFW bindings",
    "github.com/veandco/go-sdl2": "SDL2 bindings",
    "github.com/gotk3/gotk3": "GTK 3 bindings",
    "github.com/tensorflow/tensorflow": "TensorFlow C API",
    "github.com/yalue/onnxruntime_go": "ONNX Runtime C API",
    "github.com/karalabe/hid": "wraps hidapi",
}

#: Packages that need cgo inside modules that are otherwise pure Go: only an import of the
#: package itself counts, not a ``require`` of its module.
CGO_PACKAGES: dict[str, str] = {
    "github.com/google/gopacket/pcap": "wraps libpcap",
    "github.com/gopacket/gopacket/pcap": "wraps libpcap",
    "github.com/coreos/go-systemd/sdjournal": "reads the journal through libsystemd",
    "github.com/coreos/go-systemd/v22/sdjournal": "reads the journal through libsystemd",
}

# Modules whose clients talk HTTPS to public endpoints (need CA certificates).
_TLS_MODULES = (
    "github.com/aws/aws-sdk-go",
    "github.com/aws/aws-sdk-go-v2",
    "cloud.google.com/go",
    "google.golang.org/api",
    "firebase.google.com/go",
    "github.com/Azure/azure-sdk-for-go",
    "golang.org/x/oauth2",
    "github.com/stripe/stripe-go",
    "github.com/slack-go/slack",
    "github.com/sendgrid/sendgrid-go",
    "github.com/twilio/twilio-go",
    "github.com/getsentry/sentry-go",
    "github.com/minio/minio-go",
    "github.com/go-telegram-bot-api/telegram-bot-api",
    "github.com/bwmarrin/discordgo",
)

_SKIP_DIRS = frozenset({".git", "node_modules"})
_KNOWN_OS = frozenset(
    {
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
        "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
    }
)  # fmt: skip
_KNOWN_ARCH = frozenset(
    {
        "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips",
        "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le",
        "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
    }
)  # fmt: skip
_TARGET_ARCHES = ("amd64", "arm64")  # the architectures container images are built for
_GOMOD_TOKEN = re.compile(r"[^\s\"`]+")
_GO_TOKEN = re.compile(
    r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?|`[^`]*`?", re.DOTALL
)
_NOT_NEWLINE = re.compile(r"[^\n]")
_IMPORT_DECL = re.compile(r"\bimport\b\s*(\(|(?:[A-Za-z_]\w*|[._])?\s*[\"`])")
# An import spec: [name] "path". The name starts only where a word starts (``(?<!\w)``):
# otherwise every position inside a long word would start a failing match (O(n^2)).
_IMPORT_SPEC = re.compile(r"(?:((?<!\w)[A-Za-z_]\w*|[._])\s+)?[\"`]")
# The package clause: only blanks before it on its line (comments are blanked already).
# Not ``^\s*``: \s matches newlines, so each line start would rescan all blank lines after it.
_PACKAGE = re.compile(r"^[^\S\n]*package\s+([A-Za-z_]\w*)", re.MULTILINE)
_VIPER_EXTS = ("json", "toml", "yaml", "yml", "properties", "props", "prop", "hcl", "env", "ini")


# --------------------------------------------------------------------------- go.mod


class Require(Record):
    """A ``require`` line of go.mod."""

    path: str
    version: str
    indirect: bool = False


class Replace(Record):
    """A ``replace`` directive: ``old [version] => new [version]``."""

    old_path: str
    old_version: str | None
    new_path: str
    new_version: str | None

    @property
    def is_local(self) -> bool:
        """True when the replacement is a directory (``./x``, ``../x``, ``/x``)."""
        return self.new_path.startswith(("./", "../", "/")) or self.new_path in (".", "..")


class GoMod(Record):
    """A parsed go.mod: module path, go/toolchain versions, requirements and replacements."""

    path: str  # the go.mod file, relative to the context ("go.mod", "svc/go.mod")
    module: str | None
    go_version: str | None = None
    toolchain: str | None = None
    requires: tuple[Require, ...] = ()
    replaces: tuple[Replace, ...] = ()

    @property
    def require_paths(self) -> list[str]:
        """The required module paths, in file order."""
        return [r.path for r in self.requires]

    @property
    def directory(self) -> str:
        """The module root relative to the context (``.`` for the context itself)."""
        return posixpath.dirname(self.path) or "."


def _gomod_fields(line: str) -> list[str]:
    """Fields of a go.mod line with quoted strings unquoted and the comment removed."""
    out: list[str] = []
    i = 0
    while i < len(line):
        c = line[i]
        if c in " \t\r":
            i += 1
        elif line.startswith("//", i):
            break
        elif c in '"`':
            j = line.find(c, i + 1)
            if j < 0:
                j = len(line)
            out.append(line[i + 1 : j].replace('\\"', '"'))
            i = j + 1
        else:
            m = _GOMOD_TOKEN.match(line, i)
            assert m is not None
            tok = m.group()
            if "//" in tok:
                out.append(tok[: tok.index("//")])
                break
            out.append(tok)
            i = m.end()
    return [f for f in out if f]


def parse_go_mod(text: str, path: str = "go.mod") -> GoMod:
    """Parse go.mod text. Tolerant: unknown directives and malformed lines are ignored."""
    module = go_version = toolchain = None
    requires: list[Require] = []
    replaces: list[Replace] = []
    block: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        indirect = bool(re.search(r"//\s*indirect\b", line))
        fields = _gomod_fields(line)
        if not fields:
            continue
        if block is not None:
            if fields[0] == ")":
                block = None
                continue
            verb, args = block, fields
        else:
            verb, args = fields[0], fields[1:]
            if args == ["("]:
                block = verb
                continue
            if args and args[0] == "(":
                args = args[1:]
                if args and args[-1] == ")":
                    args = args[:-1]  # a one-line block: "require ( a v1 )"
                else:
                    block = verb
                if not args:
                    continue
        if verb == "module" and args:
            module = args[0]
        elif verb == "go" and args:
            go_version = args[0]
        elif verb == "toolchain" and args:
            toolchain = args[0]
        elif verb == "require" and len(args) >= 2:
            requires.append(Require(args[0], args[1], indirect))
        elif verb == "replace" and "=>" in args:
            k = args.index("=>")
            old, new = args[:k], args[k + 1 :]
            if old and new:
                replaces.append(
                    Replace(
                        old[0],
                        old[1] if len(old) > 1 else None,
                        new[0],
                        new[1] if len(new) > 1 else None,
                    )
                )
    return GoMod(path, module, go_version, toolchain, tuple(requires), tuple(replaces))


# --------------------------------------------------------------------------- the result


class RuntimeFile(Record):
    """A file or directory the program reads at run time by a relative path, and why."""

    path: str
    reason: str


class BuildContext:
    """Facts about a Docker build context holding a Go project.

    Paths are POSIX, relative to the context directory. ``go_mod`` is the context's own
    go.mod (None without one); ``go_mods`` every go.mod found. ``cgo_reasons`` explain why
    the build needs cgo (empty: nothing says so). ``embed_patterns`` are
    ``(directory of the Go file, pattern)`` for each ``//go:embed`` pattern, as written
    (``all:`` prefix included). ``runtime_files`` are the existing files/directories the
    program opens by relative path at run time (the deepest existing path above any glob,
    e.g. ``templates/*.html`` gives ``templates``), minus what ``//go:embed`` embeds;
    ``unresolved_runtime_files`` the relative paths it opens that do not exist in the
    context (created at run time, or mounted). ``files`` lists the files seen by the walk.
    """

    __slots__ = (
        "cgo_reasons",
        "derived",
        "directory",
        "dirs",
        "dockerignore_exists",
        "dockerignore_files",
        "embed_patterns",
        "embeds_tzdata",
        "files",
        "gitignore_lines",
        "go_mod",
        "go_mods",
        "go_package_dirs",
        "has_go_files",
        "has_go_sum",
        "has_go_work",
        "has_vendor",
        "main_package_dirs",
        "notes",
        "runtime_files",
        "timezone_reasons",
        "tls_reasons",
        "truncated",
        "unresolved_runtime_files",
        "uses_timezones",
        "uses_tls_or_https",
        "vendor_dir_exists",
    )

    def __init__(
        self,
        directory: str,
        go_mod: GoMod | None = None,
        go_mods: list[GoMod] | None = None,
        has_go_sum: bool = False,
        has_go_work: bool = False,
        has_vendor: bool = False,
        vendor_dir_exists: bool = False,
        has_go_files: bool = False,
        go_package_dirs: list[str] | None = None,
        main_package_dirs: list[str] | None = None,
        cgo_reasons: list[str] | None = None,
        embed_patterns: list[tuple[str, str]] | None = None,
        runtime_files: list[RuntimeFile] | None = None,
        unresolved_runtime_files: list[RuntimeFile] | None = None,
        uses_timezones: bool = False,
        timezone_reasons: list[str] | None = None,
        embeds_tzdata: bool = False,
        uses_tls_or_https: bool = False,
        tls_reasons: list[str] | None = None,
        dockerignore_exists: bool = False,
        dockerignore_files: list[str] | None = None,
        gitignore_lines: list[str] | None = None,
        files: list[str] | None = None,
        dirs: list[str] | None = None,
        truncated: bool = False,
        notes: list[str] | None = None,
    ) -> None:
        self.directory = directory
        self.go_mod = go_mod
        self.go_mods: list[GoMod] = [] if go_mods is None else go_mods
        self.has_go_sum = has_go_sum
        self.has_go_work = has_go_work
        self.has_vendor = has_vendor
        self.vendor_dir_exists = vendor_dir_exists
        self.has_go_files = has_go_files
        self.go_package_dirs: list[str] = [] if go_package_dirs is None else go_package_dirs
        self.main_package_dirs: list[str] = [] if main_package_dirs is None else main_package_dirs
        self.cgo_reasons: list[str] = [] if cgo_reasons is None else cgo_reasons
        self.embed_patterns: list[tuple[str, str]] = (
            [] if embed_patterns is None else embed_patterns
        )
        self.runtime_files: list[RuntimeFile] = [] if runtime_files is None else runtime_files
        self.unresolved_runtime_files: list[RuntimeFile] = (
            [] if unresolved_runtime_files is None else unresolved_runtime_files
        )
        self.uses_timezones = uses_timezones
        self.timezone_reasons: list[str] = [] if timezone_reasons is None else timezone_reasons
        self.embeds_tzdata = embeds_tzdata
        self.uses_tls_or_https = uses_tls_or_https
        self.tls_reasons: list[str] = [] if tls_reasons is None else tls_reasons
        self.dockerignore_exists = dockerignore_exists
        self.dockerignore_files: list[str] = (
            [] if dockerignore_files is None else dockerignore_files
        )
        self.gitignore_lines: list[str] = [] if gitignore_lines is None else gitignore_lines
        self.files: list[str] = [] if files is None else files
        self.dirs: list[str] = [] if dirs is None else dirs
        self.truncated = truncated
        self.notes: list[str] = [] if notes is None else notes
        #: answers computed from these facts, kept by whoever computes them (not compared)
        self.derived: dict[object, object] = {}

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(
            getattr(self, name) == getattr(other, name)
            for name in self.__slots__
            if name != "derived"
        )

    @property
    def module_path(self) -> str | None:
        """The module path of the context's go.mod."""
        return self.go_mod.module if self.go_mod is not None else None

    @property
    def needs_cgo(self) -> bool:
        """True when some reason says the build needs cgo."""
        return bool(self.cgo_reasons)

    def exists(self, rel: str) -> bool:
        """True when ``rel`` is a file or directory seen in the context."""
        rel = posixpath.normpath(rel)
        return rel in self._entries

    @property
    def _entries(self) -> frozenset[str]:
        return frozenset(self.files) | frozenset(self.dirs)


# --------------------------------------------------------------------------- walking


class _Walk:
    __slots__ = ("dirs", "files", "notes", "root", "truncated", "vendor_dirs")

    def __init__(
        self,
        root: str,
        files: list[str] | None = None,
        dirs: list[str] | None = None,
        truncated: bool = False,
        notes: list[str] | None = None,
        vendor_dirs: list[str] | None = None,
    ) -> None:
        self.root = root
        self.files: list[str] = [] if files is None else files
        self.dirs: list[str] = [] if dirs is None else dirs
        self.truncated = truncated
        self.notes: list[str] = [] if notes is None else notes
        self.vendor_dirs: list[str] = [] if vendor_dirs is None else vendor_dirs


def _inside(root_real: str, path: str) -> bool:
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _walk(root: str) -> _Walk:
    """Breadth-first, sorted, bounded listing of the context."""
    w = _Walk(root)
    root_real = os.path.realpath(root)
    queue: deque[str] = deque([""])
    while queue:
        rel_dir = queue.popleft()
        abs_dir = os.path.join(root, rel_dir) if rel_dir else root
        try:
            with os.scandir(abs_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            w.notes.append(f"could not list {rel_dir or '.'}")
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_link = entry.is_symlink()
                if is_link and not _inside(root_real, entry.path):
                    w.notes.append(f"{rel}: symbolic link leaves the context, ignored")
                    continue
                is_dir = entry.is_dir(follow_symlinks=not is_link) or (
                    is_link and os.path.isdir(entry.path)
                )
            except OSError:
                continue
            if is_dir:
                w.dirs.append(rel)
                if entry.name in _SKIP_DIRS:
                    continue
                if entry.name == "vendor":
                    w.vendor_dirs.append(rel)
                    continue
                if is_link:
                    continue  # never follow directory links: no loops, no escapes
                queue.append(rel)
                continue
            if len(w.files) >= MAX_FILES:
                w.truncated = True
                w.notes.append(f"stopped after {MAX_FILES} files")
                return w
            w.files.append(rel)
    return w


def _read(root: str, rel: str) -> str | None:
    """Text of a context file, or None when missing, too large, unreadable or binary."""
    path = os.path.join(root, rel)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_FILE_BYTES or b"\0" in data[:8192]:
        return None
    text = data.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


# --------------------------------------------------------------------------- Go source


_GO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a",
               "b": "\b", "f": "\f", "v": "\v"}  # fmt: skip


def _unescape_go(s: str) -> str:
    if "\\" not in s:  # nothing to unescape (the pattern below needs a backslash)
        return s
    return re.sub(r"\\(.)", lambda m: _GO_ESCAPES.get(m.group(1), m.group(0)), s)


@functools.lru_cache(maxsize=256)
def _call_regex(local: str | None, funcs: str) -> re.Pattern[str]:
    if local is None:
        return re.compile(rf"\.({funcs})\s*\(")
    return re.compile(rf"(?<![\w.]){re.escape(local)}\.({funcs})\s*\(")


class _GoSource:
    """A Go file split into code (comments and string contents blanked), literals, comments."""

    __slots__ = ("aliases", "blank", "imports", "line_comments", "package", "rel", "strings")

    def __init__(
        self,
        rel: str,
        blank: str,
        strings: dict[int, str],
        line_comments: list[tuple[int, str]],
        package: str | None = None,
        imports: list[str] | None = None,
        aliases: dict[str, str] | None = None,
    ) -> None:
        self.rel = rel
        self.blank = blank  # comments -> spaces, string contents -> "x" (delimiters kept)
        self.strings = strings  # offset of the opening quote -> decoded value
        self.line_comments = line_comments  # (offset, text after "//")
        self.package = package
        self.imports: list[str] = [] if imports is None else imports
        # import path -> local name
        self.aliases: dict[str, str] = {} if aliases is None else aliases

    def call_pattern(self, pkg: str | None, funcs: str) -> re.Pattern[str] | None:
        """Regex for calls of ``funcs`` of package ``pkg`` (None: any receiver's method)."""
        if pkg is None:
            return _call_regex(None, funcs)
        local = self.aliases.get(pkg)
        if local is None or local in ("_", "."):
            return None
        return _call_regex(local, funcs)

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.rel) or "."

    @property
    def name(self) -> str:
        return posixpath.basename(self.rel)

    @property
    def is_test(self) -> bool:
        return self.name.endswith("_test.go")

    def line_of(self, offset: int) -> int:
        return self.blank.count("\n", 0, offset) + 1

    def string_at(self, start: int, end: int) -> str | None:
        """The literal when ``blank[start:end]`` is exactly one string literal."""
        seg = self.blank[start:end]
        stripped = seg.strip()
        if not stripped or stripped[0] not in '"`':
            return None
        lead = start + (len(seg) - len(seg.lstrip()))
        value = self.strings.get(lead)
        if value is None:
            return None
        # the literal must be the whole argument
        closing = self.blank.find(stripped[0], lead + 1)
        if closing < 0 or self.blank[closing + 1 : end].strip():
            return None
        return value


def _default_local_name(path: str) -> str:
    """The name a package is used by when imported without a name (last path element)."""
    last = path.rstrip("/").rpartition("/")[2]
    if re.fullmatch(r"v[2-9]\d*|v1\d+", last) and "/" in path:
        last = path.rstrip("/").rpartition("/")[0].rpartition("/")[2]
    last = re.sub(r"\.v\d+$", "", last)
    return re.sub(r"^go-|[-.]go$", "", last).replace("-", "_").replace(".", "_")


def _scan_go(rel: str, text: str) -> _GoSource:
    out: list[str] = []
    strings: dict[int, str] = {}
    comments: list[tuple[int, str]] = []
    pos = 0
    for m in _GO_TOKEN.finditer(text):
        start, end = m.span()
        out.append(text[pos:start])
        pos = end
        tok = m.group()
        c = tok[0]
        if tok.startswith("//"):
            comments.append((start, tok[2:]))
            out.append(" " * len(tok))
        elif tok.startswith("/*"):
            out.append(_NOT_NEWLINE.sub(" ", tok))
        else:
            closed = len(tok) >= 2 and tok[-1] == c
            body = tok[1:-1] if closed else tok[1:]
            if c == '"':
                strings[start] = _unescape_go(body)
            elif c == "`":
                strings[start] = body.replace("\r", "")
            out.append(c + _NOT_NEWLINE.sub("x", body) + (c if closed else ""))
    out.append(text[pos:])
    src = _GoSource(rel, "".join(out), strings, comments)
    pkg = _PACKAGE.search(src.blank)
    src.package = pkg.group(1) if pkg else None
    header_end = pkg.end() if pkg else 0
    spec = _IMPORT_SPEC
    for m in _IMPORT_DECL.finditer(src.blank):
        if m.start() < header_end:
            continue
        if m.group(1) == "(":
            close = src.blank.find(")", m.end())
            close = len(src.blank) if close < 0 else close
            specs = list(spec.finditer(src.blank, m.end(), close))
        else:
            one = spec.match(src.blank, m.start(1))
            specs = [one] if one else []
        for sm in specs:
            path = src.strings.get(sm.end() - 1)
            if not path:
                continue
            src.imports.append(path)
            local = sm.group(1) or _default_local_name(path)
            src.aliases[path] = local
    return src


# -- build constraints ---------------------------------------------------------------


def _tag_true(tag: str, arch: str, cgo: bool) -> bool:
    if tag in ("linux", "unix", "gc", arch):
        return True
    if tag == "cgo":
        return cgo
    return re.fullmatch(r"go1\.\d+", tag) is not None


def _eval_go_build(expr: str, truth: Callable[[str], bool]) -> bool | None:
    """Evaluate a ``//go:build`` expression; None when it does not parse."""
    tokens: list[str] = re.findall(r"\(|\)|!|&&|\|\||[A-Za-z0-9_.]+|\S", expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        return tok

    def p_or() -> bool:
        v = p_and()
        while peek() == "||":
            take()
            v = p_and() or v
        return v

    def p_and() -> bool:
        v = p_not()
        while peek() == "&&":
            take()
            v = p_not() and v
        return v

    def p_not() -> bool:
        if peek() == "!":
            take()
            return not p_not()
        if peek() == "(":
            take()
            v = p_or()
            if peek() != ")":
                raise ValueError("missing )")
            take()
            return v
        tok = take() if peek() is not None else ""
        if not re.fullmatch(r"[A-Za-z0-9_.]+", tok):
            raise ValueError(f"bad token {tok!r}")
        return truth(tok)

    try:
        v = p_or()
    except (ValueError, IndexError):
        return None
    return v if pos == len(tokens) else None


def _eval_plus_build(lines: list[str], truth: Callable[[str], bool]) -> bool:
    for line in lines:
        ok = False
        for option in line.split():
            terms = option.split(",")
            if all((not truth(t[1:])) if t.startswith("!") else truth(t) for t in terms if t):
                ok = True
                break
        if not ok:
            return False
    return True


def _filename_ok(name: str, arch: str) -> bool:
    stem = name[: -len(".go")] if name.endswith(".go") else name
    stem = stem.removesuffix("_test")
    parts = stem.split("_")[1:]
    if not parts:
        return True
    if len(parts) >= 2 and parts[-2] in _KNOWN_OS and parts[-1] in _KNOWN_ARCH:
        return parts[-2] == "linux" and parts[-1] == arch
    if parts[-1] in _KNOWN_OS:
        return parts[-1] == "linux"
    if parts[-1] in _KNOWN_ARCH:
        return parts[-1] == arch
    return True


def _built(src: _GoSource, *, cgo: bool) -> bool:
    """Would the file be compiled for linux (amd64 or arm64) with cgo on/off?"""
    header_end = src.blank.find("package") if src.package else len(src.blank)
    header = [(off, txt) for off, txt in src.line_comments if off < max(header_end, 0)]
    go_build = [txt[len("go:build") :] for _, txt in header if txt.startswith("go:build")]
    plus = [txt.strip()[len("+build") :] for _, txt in header if txt.strip().startswith("+build")]
    for arch in _TARGET_ARCHES:
        if not _filename_ok(src.name, arch):
            continue

        def truth(tag: str, arch: str = arch) -> bool:
            return _tag_true(tag, arch, cgo)

        if go_build:
            ok = _eval_go_build(go_build[0], truth)
            if ok is None or ok:
                return True
        elif plus:
            if _eval_plus_build(plus, truth):
                return True
        else:
            return True
    return False


# -- embed ---------------------------------------------------------------------------


def _embed_args(arg_text: str) -> list[str]:
    """Patterns of a ``//go:embed`` line: space-separated, ``"..."`` or backquoted."""
    out: list[str] = []
    i = 0
    s = arg_text
    while i < len(s):
        if s[i] in " \t":
            i += 1
            continue
        if s[i] in '"`':
            j = s.find(s[i], i + 1)
            j = len(s) if j < 0 else j
            val = s[i + 1 : j]
            out.append(_unescape_go(val) if s[i] == '"' else val)
            i = j + 1
            continue
        j = i
        while j < len(s) and s[j] not in " \t":
            j += 1
        out.append(s[i:j])
        i = j
    return out


def _embed_target(go_dir: str, pattern: str) -> str:
    """The context path an embed pattern refers to (joined to the Go file's directory)."""
    pattern = pattern.removeprefix("all:")
    return posixpath.normpath(posixpath.join(go_dir, pattern))


def _literal_prefix(path: str) -> str:
    """The part of ``path`` before the first component with a glob character."""
    parts: list[str] = []
    for part in path.split("/"):
        if "*" in part or "?" in part or "[" in part:  # a glob
            break
        parts.append(part)
    return "/".join(parts) or "."


# -- runtime file reads ----------------------------------------------------------------


class _Call(Record):
    pkg: str | None  # import path of the package, None for a method of any receiver
    funcs: str  # alternation of function names
    args: tuple[int, ...] | None  # the path arguments; None: every argument
    label: str
    not_receiver: str | None = None  # skip ``X.f(`` when X is this package's local name


_CALLS: tuple[_Call, ...] = (
    _Call("os", "Open|OpenFile|ReadFile|ReadDir|DirFS", (0,), "os.{0}"),
    _Call("io/ioutil", "ReadFile|ReadDir", (0,), "ioutil.{0}"),
    _Call("path/filepath", "Walk|WalkDir|Glob", (0,), "filepath.{0}"),
    _Call(None, "ParseFiles", None, "template.{0}"),
    _Call(None, "ParseGlob", (0,), "template.{0}"),
    _Call("net/http", "Dir", (0,), "http.{0}"),
    _Call("net/http", "ServeFile", (2,), "http.{0}"),
    _Call("github.com/gin-gonic/gin", "Dir", (0,), "gin.{0}"),
    _Call(None, "LoadHTMLGlob", (0,), "{0}"),
    _Call(None, "LoadHTMLFiles", None, "{0}"),
    _Call(None, "Static|StaticFile|StaticFS", (1,), "{0}"),
    _Call(None, "AddConfigPath", (0,), "viper.{0}"),
    _Call(None, "SetConfigFile", (0,), "viper.{0}"),
    _Call("github.com/joho/godotenv", "Load|Overload|Read", None, "godotenv.{0}"),
    _Call("crypto/tls", "LoadX509KeyPair", (0, 1), "tls.{0}"),
    _Call("net/http", "ListenAndServeTLS|ServeTLS", (1, 2), "http.{0}"),
    _Call(None, "ListenAndServeTLS|ServeTLS", (0, 1), "{0}", not_receiver="net/http"),
    _Call(None, "RunTLS", (1, 2), "{0}"),
)


def _call_args(blank: str, open_paren: int) -> list[tuple[int, int]]:
    """Spans of the top-level arguments of the call whose ``(`` is at ``open_paren``."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = open_paren + 1
    for i in range(open_paren, min(len(blank), open_paren + 4000)):
        c = blank[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                if blank[start:i].strip():
                    spans.append((start, i))
                return spans
        elif c == "," and depth == 1:
            spans.append((start, i))
            start = i + 1
    return spans


def _relative_path(value: str) -> str | None:
    """A clean context-relative path from a literal, or None when it is not one."""
    v = value.strip()
    if v.startswith("file://"):
        v = v[len("file://") :]
    if not v or v.startswith(("/", "~", "\\")) or "://" in v or re.match(r"[A-Za-z]:[\\/]", v):
        return None
    if any(c in v for c in "$%{}\n\t") or v.startswith("-"):
        return None
    norm = posixpath.normpath(v.replace("\\", "/"))
    if norm == ".." or norm.startswith("../"):
        return None
    return norm


def _exists(root: str, entries: frozenset[str], rel: str) -> bool:
    if rel in entries:
        return True
    path = os.path.join(root, rel)
    try:
        return os.path.lexists(path) and _inside(os.path.realpath(root), path)
    except (OSError, ValueError):
        return False


def _deepest_existing(root: str, entries: frozenset[str], rel: str) -> str | None:
    prefix = _literal_prefix(rel)
    if prefix == ".":
        return None
    parts = prefix.split("/")
    for k in range(len(parts), 0, -1):
        cand = "/".join(parts[:k])
        if _exists(root, entries, cand):
            return cand
    return None


def _module_root_of(rel_dir: str, mod_dirs: list[str]) -> str:
    """The directory of the innermost module containing ``rel_dir`` (``.`` if none)."""
    best = "."
    for d in mod_dirs:
        if d != "." and (rel_dir == d or rel_dir.startswith(d + "/")) and len(d) > len(best):
            best = d
    return best


def _runtime_reads(
    root: str,
    entries: frozenset[str],
    sources: list[_GoSource],
    mod_dirs: list[str],
    embeds: list[tuple[str, str]],
) -> tuple[list[RuntimeFile], list[RuntimeFile]]:
    found: dict[str, str] = {}
    missing: dict[str, str] = {}
    embedded = {_literal_prefix(_embed_target(d, p)) for d, p in embeds} - {"."}

    def is_embedded(rel: str) -> bool:
        parts = rel.split("/")
        return any("/".join(parts[:k]) in embedded for k in range(1, len(parts) + 1))

    def note(value: str, reason: str, src: _GoSource) -> None:
        rel = _relative_path(value)
        if rel is None or rel == ".":
            return
        bases = [""]
        mod_root = _module_root_of(src.directory, mod_dirs)
        if mod_root != ".":
            bases.append(mod_root)
        for base in bases:
            cand = posixpath.normpath(posixpath.join(base, rel)) if base else rel
            hit = _deepest_existing(root, entries, cand)
            if hit is not None:
                if not is_embedded(hit) and not is_embedded(cand):
                    found.setdefault(hit, reason)
                return
        if not is_embedded(rel):
            missing.setdefault(rel, reason)

    for src in sources:
        if src.is_test:
            continue
        config_names: list[str] = []
        has_setter = "SetConfigName" in src.blank  # else no match: no regex to compile
        for m in re.finditer(r"\.SetConfigName\s*\(", src.blank) if has_setter else ():
            spans = _call_args(src.blank, m.end() - 1)
            if spans:
                v = src.string_at(*spans[0])
                if v:
                    config_names.append(v)
        for call in _CALLS:
            # every match names one of the functions: without one, no regex (nor compiling)
            if not any(func in src.blank for func in call.funcs.split("|")):
                continue
            pattern = src.call_pattern(call.pkg, call.funcs)
            if pattern is None:
                continue
            skip_receiver = src.aliases.get(call.not_receiver or "")
            for m in pattern.finditer(src.blank):
                if skip_receiver and re.search(
                    rf"(?<![\w.]){re.escape(skip_receiver)}$", src.blank[: m.start()]
                ):
                    continue
                open_paren = m.end() - 1
                spans = _call_args(src.blank, open_paren)
                label = call.label.format(m.group(1))
                where = f"{src.rel}:{src.line_of(m.start())}"
                if label.startswith("godotenv.") and not spans:
                    note(".env", f"{label}() loads .env ({where})", src)
                    continue
                picked = range(len(spans)) if call.args is None else call.args
                for k in picked:
                    if k >= len(spans):
                        continue
                    v = src.string_at(*spans[k])
                    if v is None:
                        continue
                    shown = "…, " * k + f'"{v}"'
                    reason = f"{label}({shown}) in {where}"
                    if label == "viper.AddConfigPath":
                        base = _relative_path(v)
                        if base is None:
                            continue
                        for name in config_names:
                            for ext in _VIPER_EXTS:
                                cand = posixpath.normpath(posixpath.join(base, f"{name}.{ext}"))
                                if _exists(root, entries, cand):
                                    note(cand, f'{reason} with SetConfigName("{name}")', src)
                        if base == ".":
                            continue
                    note(v, reason, src)
        for off, value in src.strings.items():
            if value.startswith("file://"):
                note(value, f'"{value}" in {src.rel}:{src.line_of(off)}', src)
    # a directory already covers what is below it
    kept = {p: r for p, r in found.items() if not any(p.startswith(q + "/") for q in found)}
    runtime = [RuntimeFile(p, r) for p, r in sorted(kept.items())]
    unresolved = [RuntimeFile(p, r) for p, r in sorted(missing.items())]
    return runtime, unresolved


# --------------------------------------------------------------------------- cgo, tz, tls


def _major_stripped(path: str) -> str:
    head, _, last = path.rpartition("/")
    if head and re.fullmatch(r"v[2-9]\d*|v1\d+", last):
        return head
    return path


@functools.lru_cache(maxsize=4096)
def _cgo_module(path: str) -> str | None:
    """The CGO_MODULES key ``path`` belongs to (module itself or a package inside it)."""
    for candidate in (path, _major_stripped(path)):
        for key in CGO_MODULES:
            if candidate == key or candidate.startswith(key + "/"):
                rest = candidate[len(key) :]
                # a package below the module, but not a different module (".../v2" is fine)
                if rest == "" or rest.startswith("/"):
                    return key
    return None


@functools.lru_cache(maxsize=4096)
def _cgo_package(imp: str) -> str | None:
    for key in CGO_PACKAGES:
        if imp == key or imp.startswith(key + "/"):
            return key
    return None


def _read_go_work(text: str) -> list[str]:
    uses: list[str] = []
    block = False
    for raw in text.splitlines():
        fields = _gomod_fields(raw.strip())
        if not fields:
            continue
        if block:
            if fields[0] == ")":
                block = False
            else:
                uses.append(fields[0])
            continue
        if fields[0] == "use":
            if fields[1:] == ["("]:
                block = True
            elif len(fields) > 1:
                uses.append(fields[1])
    return [posixpath.normpath(u) for u in uses]


def _cgo_reasons(
    go_mods: list[GoMod], vendor_modules: list[str], sources: list[_GoSource]
) -> list[str]:
    reasons: list[str] = []
    required: set[str] = set()
    for mod in go_mods:
        for req in mod.requires:
            key = _cgo_module(req.path)
            if key is not None and key not in required:
                required.add(key)
                how = " (indirect)" if req.indirect else ""
                reasons.append(f"{mod.path} requires {req.path}{how}: {CGO_MODULES[key]}")
    for path in vendor_modules:
        key = _cgo_module(path)
        if key is not None and key not in required:
            required.add(key)
            reasons.append(f"vendor/modules.txt lists {path}: {CGO_MODULES[key]}")
    seen_pkgs: set[str] = set()
    cgo_files: dict[str, list[str]] = {}
    fallback_dirs: set[str] = set()
    for src in sources:
        if src.is_test:
            continue
        for imp in src.imports:
            pkg = _cgo_package(imp)
            if pkg is not None and pkg not in seen_pkgs:
                seen_pkgs.add(pkg)
                reasons.append(f"{src.rel} imports {imp}: {CGO_PACKAGES[pkg]}")
            key = _cgo_module(imp)
            if key is not None and key not in required:
                required.add(key)
                reasons.append(f"{src.rel} imports {imp}: {CGO_MODULES[key]}")
        if "C" in src.imports:
            if _built(src, cgo=True):
                cgo_files.setdefault(src.directory, []).append(src.name)
        elif _built(src, cgo=False) and not _built(src, cgo=True):
            fallback_dirs.add(src.directory)  # a "!cgo" variant exists in this package
    for directory, names in sorted(cgo_files.items()):
        if directory in fallback_dirs:
            continue
        shown = ", ".join(sorted(names)[:3]) + (", ..." if len(names) > 3 else "")
        where = "the context root" if directory == "." else directory
        reasons.append(f'Go package in {where} uses cgo (import "C" in {shown})')
    return reasons


_TZ_SAFE = frozenset({"UTC", "Local", ""})
_HTTP_CLIENT = (
    r"Get|Post|PostForm|Head|NewRequest|NewRequestWithContext|Client|DefaultClient"
    r"|DefaultTransport|Transport"
)


def _tz_tls(sources: list[_GoSource], go_mod: GoMod | None) -> tuple[list[str], bool, list[str]]:
    tz: list[str] = []
    tls: list[str] = []
    tzdata = False
    for src in sources:
        if src.is_test:
            continue
        if "time/tzdata" in src.imports:
            tzdata = True
        load_location = src.call_pattern("time", "LoadLocation")
        for m in load_location.finditer(src.blank) if load_location else ():
            spans = _call_args(src.blank, m.end() - 1)
            v = src.string_at(*spans[0]) if spans else None
            if v in _TZ_SAFE:
                continue
            shown = f'"{v}"' if v is not None else "..."
            tz.append(f"time.LoadLocation({shown}) in {src.rel}:{src.line_of(m.start())}")
        if "crypto/tls" in src.imports:
            tls.append(f"{src.rel} imports crypto/tls")
        if "google.golang.org/grpc/credentials" in src.imports:
            tls.append(f"{src.rel} imports google.golang.org/grpc/credentials")
        http_name = src.aliases.get("net/http")
        if http_name and http_name not in ("_", ".") and f"{http_name}." in src.blank:
            m2 = re.search(rf"(?<![\w.]){re.escape(http_name)}\.({_HTTP_CLIENT})\b", src.blank)
            if m2:
                tls.append(f"{src.rel}:{src.line_of(m2.start())} uses the HTTP client")
        for off, value in src.strings.items():
            if value.startswith("https://"):
                tls.append(f'"{value[:60]}" in {src.rel}:{src.line_of(off)}')
                break
    if go_mod is not None:
        for req in go_mod.requires:
            if req.indirect:
                continue
            if any(req.path == p or req.path.startswith(p + "/") for p in _TLS_MODULES):
                tls.append(f"{go_mod.path} requires {req.path} (an HTTPS API client)")
    return tz, tzdata, list(dict.fromkeys(tls))


# --------------------------------------------------------------------------- entry point


def _go_dir_ok(rel: str) -> bool:
    """Go ignores directories named testdata or starting with ``.`` or ``_``."""
    parts = rel.split("/")[:-1]
    return not any(p == "testdata" or p.startswith((".", "_")) for p in parts)


def analyze_context(directory: str | os.PathLike[str]) -> BuildContext:
    """Analyse the build context ``directory``; never raises for a bad or odd project."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        return BuildContext(directory=directory, notes=[f"{directory} is not a directory"])
    walk = _walk(directory)
    files = walk.files
    file_set = set(files)
    entries = frozenset(files) | frozenset(walk.dirs)

    go_mods: list[GoMod] = []
    for rel in files:
        if posixpath.basename(rel) == "go.mod" and _go_dir_ok(rel):
            text = _read(directory, rel)
            if text is not None:
                go_mods.append(parse_go_mod(text, rel))
    root_mod = next((m for m in go_mods if m.path == "go.mod"), None)
    used_mods: list[GoMod]
    if "go.work" in file_set:
        uses = _read_go_work(_read(directory, "go.work") or "")
        used_mods = [m for m in go_mods if m.directory in uses]
        if root_mod is not None and root_mod not in used_mods:
            used_mods.insert(0, root_mod)
    elif root_mod is not None:
        used_mods = [root_mod]
    else:
        used_mods = list(go_mods)

    vendor_modules: list[str] = []
    has_vendor = False
    if "vendor" in walk.vendor_dirs:
        modules_txt = _read(directory, "vendor/modules.txt")
        if modules_txt is not None:
            has_vendor = True
            vendor_modules = re.findall(r"(?m)^# (\S+) ", modules_txt)
        else:
            walk.notes.append("vendor/ exists but has no modules.txt")

    sources: list[_GoSource] = []
    for rel in files:
        name = posixpath.basename(rel)
        if not name.endswith(".go") or name.startswith((".", "_")) or not _go_dir_ok(rel):
            continue
        text = _read(directory, rel)
        if text is None:
            walk.notes.append(f"{rel}: skipped (unreadable, binary or larger than 1 MiB)")
            continue
        sources.append(_scan_go(rel, text))

    package_dirs = sorted({s.directory for s in sources if not s.is_test})
    main_dirs = sorted({s.directory for s in sources if not s.is_test and s.package == "main"})

    embeds: list[tuple[str, str]] = []
    for src in sources:
        if src.is_test:
            continue
        for off, txt in src.line_comments:
            line_start = src.blank.rfind("\n", 0, off) + 1
            if txt.startswith("go:embed") and not src.blank[line_start:off].strip():
                rest = txt[len("go:embed") :]
                if rest and rest[0] not in " \t":
                    continue
                for pattern in _embed_args(rest):
                    embeds.append((src.directory, pattern))

    mod_dirs = [m.directory for m in go_mods]
    runtime, unresolved = _runtime_reads(directory, entries, sources, mod_dirs, embeds)
    tz, tzdata, tls = _tz_tls(sources, root_mod)

    gitignore = _read(directory, ".gitignore") if ".gitignore" in file_set else None
    gitignore_lines = [
        ln.rstrip()
        for ln in (gitignore or "").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    dockerignores = sorted(
        f for f in files if "/" not in f and (f == ".dockerignore" or f.endswith(".dockerignore"))
    )

    return BuildContext(
        directory=directory,
        go_mod=root_mod,
        go_mods=go_mods,
        has_go_sum="go.sum" in file_set,
        has_go_work="go.work" in file_set,
        has_vendor=has_vendor,
        vendor_dir_exists="vendor" in walk.vendor_dirs,
        has_go_files=any(not s.is_test for s in sources),
        go_package_dirs=package_dirs,
        main_package_dirs=main_dirs,
        cgo_reasons=_cgo_reasons(used_mods, vendor_modules, sources),
        embed_patterns=embeds,
        runtime_files=runtime,
        unresolved_runtime_files=unresolved,
        uses_timezones=bool(tz) and not tzdata,
        timezone_reasons=tz,
        embeds_tzdata=tzdata,
        uses_tls_or_https=bool(tls),
        tls_reasons=tls,
        dockerignore_exists=".dockerignore" in file_set,
        dockerignore_files=dockerignores,
        gitignore_lines=gitignore_lines,
        files=sorted(files),
        dirs=sorted(walk.dirs),
        truncated=walk.truncated,
        notes=walk.notes,
    )
