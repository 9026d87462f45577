"""The Go source of a build context, scanned lexically: imports, ``//go:embed``, cgo.

Comments and string literals are understood, the code is not type-checked: a good guess,
not a proof. Build constraints (``//go:build``, ``// +build``, file-name suffixes) are
evaluated for linux on amd64 and arm64, with cgo on and off.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable

from dockerfix.facts.gomodule import GoMod

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


class GoSource:
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


@functools.lru_cache(maxsize=256)
def _names(alternation: str) -> tuple[str, ...]:
    return tuple(alternation.split("|"))


def mentions(blank: str, funcs: str) -> bool:
    """True when the code names one of ``funcs`` (``"Open|ReadFile"``): without one, no
    call of them can match, and no regex needs compiling or running."""
    for name in _names(funcs):  # noqa: SIM110 (a loop: no generator made for every file)
        if name in blank:
            return True
    return False


def call_args(blank: str, open_paren: int) -> list[tuple[int, int]]:
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


@functools.lru_cache(maxsize=4096)
def _default_local_name(path: str) -> str:
    """The name a package is used by when imported without a name (last path element)."""
    last = path.rstrip("/").rpartition("/")[2]
    if re.fullmatch(r"v[2-9]\d*|v1\d+", last) and "/" in path:
        last = path.rstrip("/").rpartition("/")[0].rpartition("/")[2]
    last = re.sub(r"\.v\d+$", "", last)
    return re.sub(r"^go-|[-.]go$", "", last).replace("-", "_").replace(".", "_")


def scan_go(rel: str, text: str) -> GoSource:
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
    src = GoSource(rel, "".join(out), strings, comments)
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


def built(src: GoSource, *, cgo: bool) -> bool:
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


def embed_args(arg_text: str) -> list[str]:
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


def embed_target(go_dir: str, pattern: str) -> str:
    """The context path an embed pattern refers to (joined to the Go file's directory)."""
    pattern = pattern.removeprefix("all:")
    return posixpath.normpath(posixpath.join(go_dir, pattern))


def literal_prefix(path: str) -> str:
    """The part of ``path`` before the first component with a glob character."""
    parts: list[str] = []
    for part in path.split("/"):
        if "*" in part or "?" in part or "[" in part:  # a glob
            break
        parts.append(part)
    return "/".join(parts) or "."


def go_dir_ok(rel: str) -> bool:
    """Go ignores directories named testdata or starting with ``.`` or ``_``."""
    parts = rel.split("/")[:-1]
    return not any(p == "testdata" or p.startswith((".", "_")) for p in parts)


def embed_patterns(sources: list[GoSource]) -> list[tuple[str, str]]:
    """``(directory of the Go file, pattern)`` of every ``//go:embed`` in non-test code."""
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
                for pattern in embed_args(rest):
                    embeds.append((src.directory, pattern))
    return embeds


# -- paths ----------------------------------------------------------------------------


_JOIN = re.compile(r"(?<![\w.])(?:filepath|path)\.Join\s*\(")
_ASSIGN = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*(?:string\s*)?:?=(?!=)\s*")


def literal_values(src: GoSource) -> dict[str, str]:
    """Identifiers given exactly one path value in the file: a string literal (``const dir =
    "data"``) or a Join of known values (``p := filepath.Join(dir, "state.txt")``); one
    also assigned anything else is unknown."""
    if "=" not in src.blank:
        return {}
    assigned: dict[str, list[str | int | None]] = {}
    for m in _ASSIGN.finditer(src.blank):
        k = m.end()
        value: str | int | None = src.strings.get(k)  # a literal starts right there
        if value is None and _JOIN.match(src.blank, k):
            value = k  # a Join: resolved below, once the literals are known
        assigned.setdefault(m.group(1), []).append(value)
    consts: dict[str, str] = {}
    joins: dict[str, int] = {}
    for name, values in assigned.items():
        if len(set(values)) != 1 or values[0] is None:
            continue
        if isinstance(values[0], str):
            consts[name] = values[0]
        else:
            joins[name] = values[0]
    for name, k in joins.items():
        join = _JOIN.match(src.blank, k)
        assert join is not None
        spans = call_args(src.blank, join.end() - 1)
        if spans and src.blank[spans[-1][1]] == ")":
            joined = path_value(src, k, spans[-1][1] + 1, consts)
            if joined is not None:
                consts[name] = joined
    return consts


def _join_args(src: GoSource, start: int, end: int) -> list[tuple[int, int]] | None:
    """The argument spans when ``src.blank[start:end]`` is a ``filepath.Join``/``path.Join``
    call (and nothing more), else None."""
    segment = src.blank[start:end]
    m = _JOIN.match(src.blank, start + len(segment) - len(segment.lstrip()))
    if m is None:
        return None
    spans = call_args(src.blank, m.end() - 1)
    if not spans or src.blank[spans[-1][1]] != ")" or src.blank[spans[-1][1] + 1 : end].strip():
        return None
    return spans


def path_value(src: GoSource, start: int, end: int, consts: dict[str, str]) -> str | None:
    """The value of an argument that is a literal, a known identifier or a Join of them."""
    literal = src.string_at(start, end)
    if literal is not None:
        return literal
    text = src.blank[start:end].strip()
    if re.fullmatch(r"[A-Za-z_]\w*", text):
        return consts.get(text)
    parts = []
    for a, b in _join_args(src, start, end) or ():
        value = path_value(src, a, b, consts)
        if value is None:
            return None
        parts.append(value)
    return posixpath.join(*parts) if parts else None


def assignments(src: GoSource, name: str) -> list[str]:
    """What ``name`` is assigned in the file: each right-hand side up to the line's end."""
    if name not in src.blank:
        return []
    out: list[str] = []
    for m in _ASSIGN.finditer(src.blank):
        if m.group(1) == name:
            line_end = src.blank.find("\n", m.end())
            out.append(src.blank[m.end() : line_end if line_end >= 0 else len(src.blank)])
    return out


def join_head(src: GoSource, start: int, end: int) -> str | None:
    """The first argument of a Join (``dir`` of ``filepath.Join(dir, name)``), as written."""
    spans = _join_args(src, start, end)
    return " ".join(src.blank[spans[0][0] : spans[0][1]].split()) if spans else None


def path_prefix(src: GoSource, start: int, end: int, consts: dict[str, str]) -> str | None:
    """For a Join whose first parts are known (``filepath.Join(dir, e.Name())``), those
    parts joined: the path is inside it. None for anything else."""
    parts: list[str] = []
    for a, b in _join_args(src, start, end) or ():
        value = path_value(src, a, b, consts)
        if value is None:
            break
        parts.append(value)
    return posixpath.join(*parts) if parts else None


# -- cgo ----------------------------------------------------------------------------


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


def cgo_reasons(
    go_mods: list[GoMod], vendor_modules: list[str], sources: list[GoSource]
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
            if built(src, cgo=True):
                cgo_files.setdefault(src.directory, []).append(src.name)
        elif built(src, cgo=False) and not built(src, cgo=True):
            fallback_dirs.add(src.directory)  # a "!cgo" variant exists in this package
    for directory, names in sorted(cgo_files.items()):
        if directory in fallback_dirs:
            continue
        shown = ", ".join(sorted(names)[:3]) + (", ..." if len(names) > 3 else "")
        where = "the context root" if directory == "." else directory
        reasons.append(f'Go package in {where} uses cgo (import "C" in {shown})')
    return reasons
