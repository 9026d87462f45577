"""What a Go program needs at run time: files it opens by relative path, CA certificates
and time-zone data, found in its (non-test) source."""

from __future__ import annotations

import os
import posixpath
import re

from dockerfix.facts.gomodule import GoMod
from dockerfix.facts.gosource import (
    GoSource,
    assignments,
    call_args,
    embed_target,
    join_head,
    literal_prefix,
    literal_values,
    mentions,
    path_prefix,
    path_value,
)
from dockerfix.facts.walk import inside
from dockerfix.record import Record

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

_VIPER_EXTS = ("json", "toml", "yaml", "yml", "properties", "props", "prop", "hcl", "env", "ini")


class RuntimeFile(Record):
    """A file or directory the program reads at run time by a relative path, and why."""

    path: str
    reason: str


class RuntimeReads(Record):
    """The files the program opens at run time: those in the context (``found``), the
    relative paths it opens that are not there (``missing``), and the calls whose path is
    not a literal dockerfix can follow (``unfollowed``: ``os.ReadFile(name) in main.go:9``)."""

    found: list[RuntimeFile]
    missing: list[RuntimeFile]
    unfollowed: list[str]


#: an argument made of what the program is given when it runs (a flag, an environment
#: variable, its arguments, a request): the path is the user's, not a file of the image
_GIVEN_AT_RUN_TIME = re.compile(
    r"(?:^|[(,]\s*)\*[A-Za-z_]|os\.(?:Getenv|LookupEnv|Args)|flag\.|\.Arg\(|\.URL\b"
    r"|FormValue|\.Param\(|\.Query"
)


def _given_at_run_time(expression: str) -> bool:
    return _GIVEN_AT_RUN_TIME.search(expression) is not None


def _literal_or_given(src: GoSource, name: str) -> bool:
    """True for a variable set only to literals (which the literal scan follows) or to what
    the program is given at run time (``dir := os.Getenv("DIR")``, ``&dir`` handed to
    ``flag.StringVar`` or a decoder)."""
    if re.fullmatch(r"[A-Za-z_]\w*", name) is None:
        return False
    if re.search(rf"&{name}\b", src.blank):
        return True
    values = assignments(src, name)
    return bool(values) and all(
        v.lstrip()[:1] in ('"', "`") or _given_at_run_time(v) for v in values
    )


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


_NOT_IN_FILE_NAMES = re.compile(r"[ \t\n:*?$%{}<>|,;=@#]")


def _names_a_file(value: str) -> bool:
    """A literal that looks like a relative file path: ``a/b`` or ``name.ext``, no spaces."""
    if not value or len(value) > 200 or (value[0] in "/.-~" and not value.startswith("./")):
        return False
    if _NOT_IN_FILE_NAMES.search(value):
        return False
    stem = value.rstrip("/").rpartition("/")[2]
    return "/" in value.strip("/") or ("." in stem[1:] and not stem.endswith("."))


def _followed_otherwise(src: GoSource, written: str, span: tuple[int, int]) -> bool:
    """True when a path argument that is no known value needs no following: it is what the
    program is given at run time, a variable set only to that or to literals (which the
    literal scan follows), or a Join whose first part is one of those."""
    if _given_at_run_time(written) or _literal_or_given(src, written):
        return True
    first = join_head(src, *span)
    return first is not None and _literal_or_given(src, first)


def _names_a_data_dir(
    value: str, entries: frozenset[str], dirs: frozenset[str], go_dirs: set[str]
) -> bool:
    """A literal that is the name of a top directory of the context holding data: no Go
    package, and files other than the project's own (a folder of Dockerfiles is not)."""
    name = value.removeprefix("./").rstrip("/")
    if not name or name not in dirs or re.fullmatch(r"\w[\w.-]*", name) is None:
        return False
    if name in go_dirs or name in ("vendor", "testdata"):
        return False
    inside_ = name + "/"
    if any(d.startswith(inside_) for d in go_dirs):
        return False
    return any(
        e.startswith(inside_) and e not in dirs and not _is_go_project_file(e) for e in entries
    )


_PROJECT_FILES = ("go.mod", "go.sum", "go.work", "go.work.sum", "Makefile", ".dockerignore")


def _is_go_project_file(rel: str) -> bool:
    name = posixpath.basename(rel)
    return (
        name.endswith(".go")
        or name in _PROJECT_FILES
        or name.startswith(("Dockerfile", "Containerfile"))
        or rel.split("/", 1)[0] in ("vendor", ".git")
    )


def _exists(root: str, entries: frozenset[str], rel: str) -> bool:
    if rel in entries:
        return True
    path = os.path.join(root, rel)
    try:
        return os.path.lexists(path) and inside(os.path.realpath(root), path)
    except (OSError, ValueError):
        return False


def _deepest_existing(root: str, entries: frozenset[str], rel: str) -> str | None:
    prefix = literal_prefix(rel)
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


def runtime_reads(
    root: str,
    entries: frozenset[str],
    sources: list[GoSource],
    mod_dirs: list[str],
    embeds: list[tuple[str, str]],
    dirs: frozenset[str] = frozenset(),
) -> RuntimeReads:
    """What the program opens by relative path (see ``RuntimeReads``). ``dirs`` are the
    context's directories: a literal that is just the name of one holding data
    (``"migrations"``, ``"public"``) counts too."""
    found: dict[str, str] = {}
    missing: dict[str, str] = {}
    unfollowed: dict[str, None] = {}
    go_dirs = {s.directory for s in sources} | {"."}
    dirs_named: dict[str, bool] = {}  # literal -> names a folder of data (each asked once)

    def names_data_dir(value: str) -> bool:
        known = dirs_named.get(value)
        if known is None:
            known = dirs_named[value] = _names_a_data_dir(value, entries, dirs, go_dirs)
        return known

    embedded = {literal_prefix(embed_target(d, p)) for d, p in embeds} - {"."}

    def is_embedded(rel: str) -> bool:
        parts = rel.split("/")
        return any("/".join(parts[:k]) in embedded for k in range(1, len(parts) + 1))

    def note(value: str, reason: str, src: GoSource) -> None:
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
            spans = call_args(src.blank, m.end() - 1)
            if spans:
                v = src.string_at(*spans[0])
                if v:
                    config_names.append(v)
        consts: dict[str, str] | None = None
        for call in _CALLS:
            # every match names one of the functions: without one, no regex (nor compiling)
            if not mentions(src.blank, call.funcs):
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
                spans = call_args(src.blank, open_paren)
                label = call.label.format(m.group(1))
                where = f"{src.rel}:{src.line_of(m.start())}"
                if label.startswith("godotenv.") and not spans:
                    note(".env", f"{label}() loads .env ({where})", src)
                    continue
                picked = range(len(spans)) if call.args is None else call.args
                if consts is None:
                    consts = literal_values(src)
                for k in picked:
                    if k >= len(spans):
                        continue
                    # a literal, a constant or variable given one, or a Join of those
                    v = path_value(src, *spans[k], consts)
                    if v is None:
                        written = " ".join(src.blank[spans[k][0] : spans[k][1]].split())
                        inside_ = path_prefix(src, *spans[k], consts)
                        if inside_ is not None:  # Join(dir, name): somewhere in dir
                            note(inside_, f"{label}({written}) in {where}", src)
                        elif not _followed_otherwise(src, written, spans[k]):
                            unfollowed.setdefault(f"{label}({written}) in {where}", None)
                        continue
                    written = " ".join(src.blank[spans[k][0] : spans[k][1]].split())
                    if src.string_at(*spans[k]) is None and re.fullmatch(r"[\w.]+", written):
                        shown = "…, " * k + f'{written}, which is "{v}"'
                    else:
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
            elif names_data_dir(value):
                name = posixpath.normpath(value)
                if not is_embedded(name):
                    found.setdefault(name, f'"{value}" in {src.rel}:{src.line_of(off)}')
            elif _names_a_file(value) and value not in src.aliases:
                # a constant, a flag's default, a Join part: any literal naming a file
                # of the context (not Go code) may be opened at run time
                rel = _relative_path(value)
                if rel is None or is_embedded(rel) or rel in go_dirs:
                    continue
                for base in ("", _module_root_of(src.directory, mod_dirs)):
                    cand = posixpath.normpath(posixpath.join(base, rel)) if base else rel
                    if _exists(root, entries, cand) and not _is_go_project_file(cand):
                        found.setdefault(cand, f'"{value}" in {src.rel}:{src.line_of(off)}')
                        break
    # a directory already covers what is below it
    kept = {p: r for p, r in found.items() if not any(p.startswith(q + "/") for q in found)}
    runtime = [RuntimeFile(p, r) for p, r in sorted(kept.items())]
    unresolved = [RuntimeFile(p, r) for p, r in sorted(missing.items())]
    return RuntimeReads(runtime, unresolved, list(unfollowed))


_TZ_SAFE = frozenset({"UTC", "Local", ""})
_HTTP_CLIENT = (
    r"Get|Post|PostForm|Head|NewRequest|NewRequestWithContext|Client|DefaultClient"
    r"|DefaultTransport|Transport"
)


def tz_tls(sources: list[GoSource], go_mod: GoMod | None) -> tuple[list[str], bool, list[str]]:
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
            spans = call_args(src.blank, m.end() - 1)
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
