"""``go build`` (and friends) inside the shell text of a ``RUN`` instruction.

Everything works on the text and returns character offsets into it, so a rule can change one
flag of one command and leave every other byte alone. The shell text is lexed with
:mod:`dockerfix.facts.shellwords`; nothing is executed.

What is recognised:

* simple commands anywhere in a script (``a && b``, ``;``, pipes, ``if ...; then``,
  newlines, the bodies of ``RUN <<EOF`` and ``sh <<EOF`` here-documents);
* ``go``, ``xx-go`` (docker/xx's cross-compiling wrapper), ``goX.Y.Z`` (golang.org/dl)
  and any path ending in one of them, optionally behind ``env [-i] [-u N] K=V``, ``exec``,
  ``command``, ``time``, ``nice`` or ``nohup``;
* inline assignments (``CGO_ENABLED=0 GOOS=linux go build``) and ``export K=V`` statements;
* Go's flag syntax: ``-f v``, ``-f=v``, ``--f v``, ``--f=v``, boolean ``-f`` and ``-f=false``;
  flag parsing stops at the first non-flag argument (``go test`` interleaves, as cmd/go does).

Not recognised: a ``go`` command inside a quoted string (``sh -c 'go build'``), in a
``$(...)`` substitution, or hidden behind a variable (``$GO build``).
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator, Sequence

from dockerfix.facts import shellwords
from dockerfix.facts.shellwords import (
    SimpleCommand,
    Word,
    quote_word,
    script_heredocs,
    simple_commands,
)
from dockerfix.record import Record

__all__ = [
    "BUILD_SUBCOMMANDS",
    "GoCommand",
    "GoFlag",
    "default_binary_name",
    "exported_env",
    "find_go_commands",
    "ldflags_blocker",
    "ldflags_fields",
    "merge_ldflags",
    "sets_cgo",
]

#: Subcommands that compile and link, so take ``-ldflags`` and honour ``CGO_ENABLED``.
BUILD_SUBCOMMANDS = frozenset({"build", "install", "run", "test"})

# cmd/go flags that take a value (``go help build``, ``go help testflag``, ``go help list``,
# ``go help mod download``, ``go help generate``). Any other flag is taken as boolean, which
# is what the flag package does with ``-name`` when the flag is boolean.
_VALUE_FLAGS = frozenset(
    {
        "C", "p", "o", "asmflags", "buildmode", "compiler", "covermode", "coverpkg",
        "debug-actiongraph", "debug-runtime-trace", "debug-trace", "exec", "gccgoflags",
        "gcflags", "installsuffix", "ldflags", "mod", "modfile", "overlay", "pgo", "pkgdir",
        "tags", "toolexec", "vettool", "f", "reuse", "run", "skip", "bench", "benchtime",
        "blockprofile", "blockprofilerate", "count", "coverprofile", "cpu", "cpuprofile",
        "fuzz", "fuzzcachedir", "fuzzminimizetime", "fuzztime", "list", "memprofile",
        "memprofilerate", "mutexprofile", "mutexprofilefraction", "outputdir", "parallel",
        "shuffle", "timeout", "trace", "vet",
    }
)  # fmt: skip

# cmd/link flags that take a value, so ``-extldflags -s`` does not count as ``-s``
# (``go tool link -help``).
_LINK_VALUE_FLAGS = frozenset(
    {
        "B", "E", "H", "I", "L", "R", "T", "X", "benchmark", "benchmarkprofile", "buildid",
        "buildmode", "capturehostobjs", "cpuprofile", "debugtextsize", "debugtramp", "extar",
        "extld", "extldflags", "fipso", "importcfg", "installsuffix", "k", "libgcc",
        "linkmode", "memprofile", "memprofilerate", "o", "pluginpath", "r", "strictdups",
        "tmpdir",
    }
)  # fmt: skip

_PROGRAM = re.compile(r"(?:xx-)?go(?:\d+(?:\.\d+)*(?:(?:rc|beta)\d+)?)?")
_TWO_WORD = frozenset({"mod", "work", "tool"})
_WRAPPERS = frozenset({"exec", "command", "time", "nohup", "nice"})
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


class GoFlag(Record):
    """One flag of a go command, as written.

    ``name`` has no dashes (``ldflags``); ``spelling`` is how it was written (``--ldflags``);
    ``form`` is ``separate`` (``-o x``), ``equals`` (``-o=x``) or ``bool`` (``-trimpath``).
    ``start``/``end`` span the flag including a separate value word. ``value`` is the value
    after quote removal with expansions verbatim (None for a bare boolean flag, or a value
    flag that ends the command); ``value_start``/``value_end`` span the value's source text
    (quotes included).
    """

    name: str
    spelling: str
    form: str
    start: int
    end: int
    flag_word: Word
    value_word: Word | None = None
    value: str | None = None
    value_start: int | None = None
    value_end: int | None = None

    @property
    def dynamic(self) -> bool:
        """True when the value contains a shell expansion (``$VERSION``, ``$(...)``)."""
        w = self.value_word
        if w is None:
            return False
        if self.form == "equals":
            return any(s.dynamic and s.end > (self.value_start or 0) for s in w.segments)
        return w.dynamic

    @property
    def value_span(self) -> tuple[int, int] | None:
        """``(value_start, value_end)``, or None when the flag has no value."""
        if self.value_start is None or self.value_end is None:
            return None
        return (self.value_start, self.value_end)

    def truthy(self) -> bool:
        """For a boolean flag: True for ``-f`` and ``-f=true`` (any form Go accepts)."""
        return self.value is None or self.value in _TRUE


class GoCommand(Record):
    """A ``go`` invocation found in shell text, with offsets into that text.

    ``start``/``end`` span the whole simple command, inline assignments included, and
    ``raw`` is that source text. ``env`` holds the inline assignments (``K=V go ...`` and
    ``env K=V go ...``; values after quote removal, expansions verbatim). ``args`` are all
    words after the subcommand; ``flags`` the parsed flags in order; ``packages`` the
    non-flag arguments (packages, patterns or ``.go`` files) as text after quote removal
    with expansions verbatim, and ``package_words`` the same as words with their spans;
    ``program_args`` the arguments
    of the program (``go run pkg ARGS``, ``go test ... -args ARGS``). ``dynamic_args`` are
    unquoted expansions in flag position (``${GOBUILDFLAGS}``): they may expand to flags or
    packages, so the flags and packages seen here may be incomplete.
    """

    start: int
    end: int
    raw: str
    program: Word
    subcommand: str | None
    subcommand_start: int | None
    subcommand_end: int | None
    env: dict[str, str]  # no default: a shared mutable one would be a trap
    env_words: tuple[Word, ...] = ()
    args: tuple[Word, ...] = ()
    flags: tuple[GoFlag, ...] = ()
    packages: tuple[str, ...] = ()
    package_words: tuple[Word, ...] = ()
    program_args: tuple[Word, ...] = ()
    dynamic_args: tuple[Word, ...] = ()

    @property
    def span(self) -> tuple[int, int]:
        """``(start, end)`` of the simple command."""
        return (self.start, self.end)

    @property
    def is_build(self) -> bool:
        """True for subcommands that compile and link (build, install, run, test)."""
        return self.subcommand in BUILD_SUBCOMMANDS

    def flag(self, name: str) -> GoFlag | None:
        """The last occurrence of flag ``name`` (no dashes), which is the one Go uses."""
        found = None
        for f in self.flags:
            if f.name == name:
                found = f
        return found

    def has_flag(self, name: str) -> bool:
        """True when flag ``name`` is given and, if boolean, not set to false."""
        f = self.flag(name)
        if f is None:
            return False
        return f.form == "separate" or f.name in _VALUE_FLAGS or f.truthy()

    @property
    def output_flag(self) -> GoFlag | None:
        """The effective ``-o`` flag."""
        return self.flag("o")

    @property
    def output(self) -> str | None:
        """The value of ``-o`` (``-o x`` or ``-o=x``), or None when absent."""
        f = self.output_flag
        return f.value if f is not None else None

    @property
    def ldflags_flag(self) -> GoFlag | None:
        """The effective (last) ``-ldflags``/``--ldflags`` flag."""
        return self.flag("ldflags")

    @property
    def ldflags(self) -> str | None:
        """The value of the last ``-ldflags`` (quotes removed, expansions verbatim)."""
        f = self.ldflags_flag
        return f.value if f is not None else None

    @property
    def ldflags_span(self) -> tuple[int, int] | None:
        """Source span of the last ``-ldflags`` value, quotes included."""
        f = self.ldflags_flag
        return f.value_span if f is not None else None

    @property
    def tags(self) -> str | None:
        """The value of the last ``-tags``."""
        f = self.flag("tags")
        return f.value if f is not None else None

    @property
    def trimpath(self) -> bool:
        """True when ``-trimpath`` is on."""
        return self.has_flag("trimpath")

    @property
    def rebuild_all(self) -> bool:
        """True when ``-a`` (force rebuilding of all packages) is on."""
        return self.has_flag("a")

    @property
    def package_values(self) -> list[str | None]:
        """The packages after quote removal; None for one that contains an expansion."""
        return [w.value for w in self.package_words]


# --------------------------------------------------------------------------- finding commands


def _iter_commands(text: str, start: int = 0, end: int | None = None) -> Iterator[SimpleCommand]:
    """Simple commands of ``text``, descending into here-documents that are scripts."""
    for cmd in simple_commands(text, start, end):
        yield cmd
        for doc in script_heredocs(cmd):
            yield from _iter_commands(text, doc.body_start, doc.body_end)


def _basename(value: str | None) -> str | None:
    return None if value is None else value.rsplit("/", 1)[-1]


@functools.cache
def _name_assign_re() -> re.Pattern[str]:
    """``NAME=value`` (compiled on first use: many scripts assign nothing)."""
    return re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)


def _assignment(word: Word, *, quoted_name_ok: bool = False) -> tuple[str, str] | None:
    """``(name, value)`` of a ``NAME=value`` word."""
    if not quoted_name_ok and (not word.segments or word.segments[0].kind != "plain"):
        return None
    m = _name_assign_re().fullmatch(word.text)
    return (m.group(1), m.group(2)) if m else None


def _unwrap(words: Sequence[Word], env: dict[str, str], env_words: list[Word]) -> int | None:
    """Skip ``env K=V``/``exec``/``time`` ... wrappers; index of the real program or None."""
    i = 0
    while i < len(words):
        base = _basename(words[i].value)
        if base == "env":
            i += 1
            while i < len(words):
                t = words[i].text
                if t == "--":
                    i += 1
                    break
                if t.startswith(("-S", "--split-string")):
                    return None  # the rest is one string that env splits itself
                if t in ("-u", "--unset", "-C", "--chdir"):
                    i += 2
                    continue
                if t.startswith("-") and len(t) > 1:
                    i += 1
                    continue
                break
            while i < len(words):
                kv = _assignment(words[i], quoted_name_ok=True)
                if kv is None:
                    break
                env[kv[0]] = kv[1]
                env_words.append(words[i])
                i += 1
            continue
        if base in _WRAPPERS:
            i += 1
            while i < len(words) and words[i].text.startswith("-") and len(words[i].text) > 1:
                t = words[i].text
                if base == "command" and t in ("-v", "-V"):
                    return None  # "command -v go" only looks the program up
                i += 2 if (base == "nice" and t == "-n") or (base == "exec" and t == "-a") else 1
            continue
        return i
    return None


def _parse_flag(words: Sequence[Word], i: int) -> tuple[GoFlag, int]:
    """Parse the flag at ``words[i]``; returns it and the index after it."""
    w = words[i]
    t = w.text
    spelling_end = 2 if t.startswith("--") else 1
    eq = t.find("=")
    if eq > spelling_end:
        name = t[spelling_end:eq]
        vstart = w.source_index(eq) + 1  # just after "=", so quotes belong to the value
        flag = GoFlag(name, t[:eq], "equals", w.start, w.end, w, w, t[eq + 1 :], vstart, w.end)
        return flag, i + 1
    name = t[spelling_end:]
    if name in _VALUE_FLAGS:
        if i + 1 < len(words):
            v = words[i + 1]
            flag = GoFlag(name, t, "separate", w.start, v.end, w, v, v.text, v.start, v.end)
            return flag, i + 2
        return GoFlag(name, t, "separate", w.start, w.end, w), i + 1
    return GoFlag(name, t, "bool", w.start, w.end, w), i + 1


def _is_flag(word: Word) -> bool:
    t = word.text
    return len(t) > 1 and t.startswith("-") and t != "--"


def _is_opaque(word: Word) -> bool:
    """An unquoted expansion that may stand for several words (``${GOBUILDFLAGS}``)."""
    return bool(word.segments) and word.segments[0].kind == "expansion" and not word.quoted


def _go_command(text: str, cmd: SimpleCommand) -> GoCommand | None:
    env: dict[str, str] = {}
    env_words: list[Word] = []
    for a in cmd.assignments:
        kv = _assignment(a)
        if kv is not None:
            env[kv[0]] = kv[1]
            env_words.append(a)
    words = cmd.words
    k = _unwrap(words, env, env_words)
    if k is None or k >= len(words):
        return None
    program = words[k]
    base = _basename(program.value)
    if base is None or not _PROGRAM.fullmatch(base):
        return None
    rest = words[k + 1 :]
    sub: str | None = None
    sub_start = sub_end = None
    n_sub = 0
    if rest and rest[0].value is not None and not rest[0].value.startswith("-"):
        sub = rest[0].value
        sub_start, sub_end = rest[0].start, rest[0].end
        n_sub = 1
        if (
            sub in _TWO_WORD
            and len(rest) > 1
            and rest[1].value is not None
            and not rest[1].value.startswith("-")
        ):
            sub = f"{sub} {rest[1].value}"
            sub_end = rest[1].end
            n_sub = 2
    args = tuple(rest[n_sub:])
    flags: list[GoFlag] = []
    packages: list[Word] = []
    program_args: list[Word] = []
    dynamic: list[Word] = []
    interleave = sub == "test"
    i = 0
    while i < len(args):
        w = args[i]
        if w.text == "--":
            packages.extend(args[i + 1 :])
            break
        if interleave and w.text in ("-args", "--args"):
            program_args.extend(args[i + 1 :])
            break
        if _is_flag(w):
            flag, i = _parse_flag(args, i)
            flags.append(flag)
            continue
        if _is_opaque(w) and not packages:
            dynamic.append(w)
            i += 1
            continue
        if interleave:
            packages.append(w)
            i += 1
            continue
        if sub == "run":
            j = i
            if (w.value or "").endswith(".go"):
                while j < len(args) and (args[j].value or "").endswith(".go"):
                    j += 1
            else:
                j = i + 1
            packages.extend(args[i:j])
            program_args.extend(args[j:])
        else:
            packages.extend(args[i:])
        break
    start = cmd.start
    end = cmd.end
    return GoCommand(
        start=start,
        end=end,
        raw=text[start:end],
        program=program,
        subcommand=sub,
        subcommand_start=sub_start,
        subcommand_end=sub_end,
        env=env,
        env_words=tuple(env_words),
        args=args,
        flags=tuple(flags),
        packages=tuple(w.text for w in packages),
        package_words=tuple(packages),
        program_args=tuple(program_args),
        dynamic_args=tuple(dynamic),
    )


def find_go_commands(text: str) -> list[GoCommand]:
    """Every ``go`` invocation in the shell text, in source order.

    ``text`` is the shell text of one ``RUN`` (line continuations may be left in; comment
    lines inside continuations are skipped as BuildKit does). Here-documents that are
    scripts (``RUN <<EOF``, ``sh <<EOF``) are searched too; offsets always refer to
    ``text``. Never raises. Memoised by ``text``: each call gets a new list, and each
    command its own ``env`` dict (the rest of a command is immutable and shared).
    """
    return [c._replace(env=dict(c.env)) for c in _find_go_commands(text)]


@shellwords.memo
def _find_go_commands(text: str) -> tuple[GoCommand, ...]:
    out: list[GoCommand] = []
    for cmd in _iter_commands(text):
        go = _go_command(text, cmd)
        if go is not None:
            out.append(go)
    out.sort(key=lambda c: c.start)
    return tuple(out)


# --------------------------------------------------------------------------- environment


def _is_export(cmd: SimpleCommand) -> bool:
    """``export ...``, or ``declare -x``/``typeset -x``."""
    first = cmd.words[0].value if cmd.words else None
    if first == "export":
        return True
    return first in ("declare", "typeset") and any(
        w.text.startswith("-") and "x" in w.text for w in cmd.words[1:]
    )


def _env_events(text: str) -> list[tuple[int, str, str]]:
    """``(offset, name, value)`` for ``export K=V``, bare ``K=V`` and ``go env -w K=V``."""
    events: list[tuple[int, str, str]] = []
    for cmd in _iter_commands(text):
        if not cmd.words:
            for a in cmd.assignments:
                kv = _assignment(a)
                if kv is not None:
                    events.append((a.start, kv[0], kv[1]))
            continue
        if _is_export(cmd):
            for w in cmd.words[1:]:
                kv = _assignment(w, quoted_name_ok=True)
                if kv is not None:
                    events.append((w.start, kv[0], kv[1]))
            continue
        go = _go_command(text, cmd)
        if go is not None and go.subcommand == "env" and any(f.name == "w" for f in go.flags):
            for w in go.package_words:
                kv = _assignment(w, quoted_name_ok=True)
                if kv is not None:
                    events.append((w.start, kv[0], kv[1]))
    events.sort(key=lambda e: e[0])
    return events


def exported_env(text: str) -> dict[str, str]:
    """Variables set by ``export K=V`` (also ``declare -x``/``typeset -x``) statements.

    Values are after quote removal with expansions verbatim; a later export wins. Inline
    assignments (``K=V cmd``) are not included: they belong to their command
    (:attr:`GoCommand.env`).
    """
    out: dict[str, str] = {}
    for cmd in _iter_commands(text):
        if not cmd.words:
            continue
        if _is_export(cmd):
            for w in cmd.words[1:]:
                kv = _assignment(w, quoted_name_ok=True)
                if kv is not None:
                    out[kv[0]] = kv[1]
    return out


def sets_cgo(text: str) -> str | None:
    """The value the shell text gives ``CGO_ENABLED`` for its go build, or None.

    For the last ``go build``/``install``/``run``/``test``: its inline assignment
    (``CGO_ENABLED=1 go build``, ``env CGO_ENABLED=1 go build``) if any, else the last
    ``export CGO_ENABLED=...``, bare ``CGO_ENABLED=...`` or ``go env -w CGO_ENABLED=...``
    before it. Without a build command, the last such setting anywhere. The value is
    returned as written (quotes removed), so ``"${CGO}"`` comes back as ``${CGO}``.
    """
    events = [(pos, v) for pos, k, v in _env_events(text) if k == "CGO_ENABLED"]
    builds = [c for c in find_go_commands(text) if c.is_build]
    if builds:
        last = builds[-1]
        if "CGO_ENABLED" in last.env:
            return last.env["CGO_ENABLED"]
        before = [v for pos, v in events if pos < last.start]
        return before[-1] if before else None
    inline = [
        (c.start, c.env["CGO_ENABLED"]) for c in find_go_commands(text) if "CGO_ENABLED" in c.env
    ]
    every = sorted(events + inline, key=lambda e: e[0])
    return every[-1][1] if every else None


# --------------------------------------------------------------------------- -ldflags


def ldflags_fields(value: str) -> list[str]:
    """Split an ``-ldflags`` value the way cmd/go does (``cmd/internal/quoted.Split``).

    Fields are separated by white space; a field that starts with a single or double quote
    runs to the matching quote (no escapes). An unterminated quote falls back to white
    space splitting.
    """
    fields: list[str] = []
    s = value
    while True:
        s = s.lstrip(" \t\n\r")
        if not s:
            return fields
        q = s[0]
        if q in "'\"":
            close = s.find(q, 1)
            if close < 0:
                return fields + s.split()
            fields.append(s[1:close])
            s = s[close + 1 :]
            continue
        m = re.search(r"[ \t\n\r]", s)
        cut = m.start() if m else len(s)
        fields.append(s[:cut])
        s = s[cut:]


def _link_flag(field_: str) -> tuple[str, str | None] | None:
    """``(name, value)`` of a linker flag field, None when the field is not a flag."""
    if len(field_) < 2 or not field_.startswith("-"):
        return None
    body = field_[2:] if field_.startswith("--") else field_[1:]
    if not body:
        return None
    name, eq, val = body.partition("=")
    return (name, val if eq else None)


def _dangling_link_flag(fields: Sequence[str]) -> str | None:
    """The last field when it is a linker flag that still expects its value (``-X``)."""
    i = 0
    while i < len(fields):
        parsed = _link_flag(fields[i])
        i += 1
        if parsed is not None and parsed[1] is None and parsed[0] in _LINK_VALUE_FLAGS:
            if i >= len(fields):
                return fields[i - 1]
            i += 1
    return None


def _missing_link_flags(value: str, add: Sequence[str]) -> list[str]:
    """The entries of ``add`` whose effect the linker flags in ``value`` do not already have."""
    last: dict[str, str | None] = {}
    fields = ldflags_fields(value)
    i = 0
    while i < len(fields):
        parsed = _link_flag(fields[i])
        i += 1
        if parsed is None:
            continue
        name, val = parsed
        if val is None and name in _LINK_VALUE_FLAGS:
            val = fields[i] if i < len(fields) else ""
            i += 1
        last[name] = val
    missing: list[str] = []
    for item in add:
        parsed = _link_flag(item)
        if parsed is None:
            if item not in fields:
                missing.append(item)
            continue
        name, want = parsed
        if name not in last:
            missing.append(item)
            continue
        have = last[name]
        if want is None:
            ok = have is None or have in _TRUE
        else:
            ok = (
                have == want
                or (want in _TRUE and have in _TRUE)
                or (want in _FALSE and have in _FALSE)
            )
        if not ok:
            missing.append(item)
    return missing


def ldflags_blocker(text: str, cmd: GoCommand) -> str | None:
    """Why :func:`merge_ldflags` must not edit ``cmd``, or None when it may.

    * the subcommand does not link (``go mod download``, ``go vet`` ...);
    * there is no ``-ldflags`` on the command line but ``GOFLAGS`` (inline or exported in
      this text) carries one: a command-line ``-ldflags`` would silently replace it;
    * the ``-ldflags`` value ends with a linker flag that takes a value (``-X``), so anything
      appended would become that value.

    ``GOFLAGS`` set by a Dockerfile ``ENV`` is not visible here; check it separately.
    """
    if not cmd.is_build:
        if cmd.subcommand is None:
            return "the go command has no recognisable subcommand"
        return f"`go {cmd.subcommand}` does not link a binary"
    flag = cmd.ldflags_flag
    if flag is not None and flag.value is not None:
        dangling = _dangling_link_flag(ldflags_fields(flag.value))
        if dangling is not None:
            return f"the -ldflags value ends with {dangling}, which expects a value"
    if flag is None:
        goflags = cmd.env.get("GOFLAGS")
        if goflags is None:
            before = [v for pos, k, v in _env_events(text) if k == "GOFLAGS" and pos < cmd.start]
            goflags = before[-1] if before else None
        if goflags is not None and "ldflags" in goflags:
            return (
                "GOFLAGS sets -ldflags; adding -ldflags to the command line would replace it "
                "(Go keeps only the last -ldflags)"
            )
    return None


def _escape_double(s: str) -> str:
    return re.sub(r'([\\"$`])', r"\\\1", s)


def merge_ldflags(text: str, cmd: GoCommand, add: Sequence[str] = ("-w", "-s")) -> str:
    """``text`` with ``cmd``'s effective ``-ldflags`` made to include ``add``.

    * An existing (last) ``-ldflags`` value is extended in place: every existing linker flag
      is kept (``-X main.version=$VERSION``, ``-extldflags "-static"``), and so is the quoting
      style: ``'...'`` and ``"..."`` get the new flags before the closing quote; an unquoted
      value is quoted (double quotes if it holds an expansion: ``$LDFLAGS`` becomes
      ``"$LDFLAGS -w -s"``, else single quotes).
    * Without ``-ldflags``, `` -ldflags '-w -s'`` is inserted right after the subcommand (after
      ``-C dir`` if that comes first, since cmd/go requires ``-C`` first). A second
      ``-ldflags`` is never added: Go keeps only the last one.
    * Flags already in effect are not added again (``-s -w``, ``-w=true``, ``--s``), so the
      function is idempotent and returns ``text`` unchanged when nothing is missing.

    Raises ValueError when ``cmd`` was not found in this ``text`` or when
    :func:`ldflags_blocker` reports a reason.
    """
    if text[cmd.start : cmd.end] != cmd.raw:
        raise ValueError("the go command does not belong to this text")
    reason = ldflags_blocker(text, cmd)
    if reason is not None:
        raise ValueError(reason)
    flag = cmd.ldflags_flag
    if flag is None:
        value = " ".join(add)
        insert_at = cmd.subcommand_end if cmd.subcommand_end is not None else cmd.program.end
        if cmd.flags and cmd.flags[0].name == "C":
            insert_at = cmd.flags[0].end
        return f"{text[:insert_at]} -ldflags {quote_word(value)}{text[insert_at:]}"
    missing = _missing_link_flags(flag.value or "", add)
    if not missing:
        return text
    if flag.value_word is None or flag.value_start is None or flag.value_end is None:
        # "-ldflags" is the last word of the command: give it its value.
        return f"{text[: flag.end]} {quote_word(' '.join(missing))}{text[flag.end :]}"
    current = flag.value or ""
    sep = "" if not current.strip() or current[-1] in " \t\n" else " "
    addition = sep + " ".join(missing)
    segs = [
        s for s in flag.value_word.segments if s.end > flag.value_start and s.kind != "continuation"
    ]
    last = segs[-1] if segs else None
    if last is not None and last.kind == "single" and "'" not in addition:
        pos = last.end - 1
        return text[:pos] + addition + text[pos:]
    if last is not None and last.kind == "double":
        pos = last.end - 1
        return text[:pos] + _escape_double(addition) + text[pos:]
    vs, ve = flag.value_start, flag.value_end
    region = text[vs:ve]
    if not any(c in region for c in "'\"\\\n"):
        if "$" in region or "`" in region:
            return f'{text[:vs]}"{region}{_escape_double(addition)}"{text[ve:]}'
        if "'" not in addition:
            return f"{text[:vs]}'{region}{addition}'{text[ve:]}"
    # Mixed quoting: append a quoted segment, which the shell concatenates to the value.
    return text[:ve] + quote_word(addition) + text[ve:]


# --------------------------------------------------------------------------- binary name


def _is_version_element(s: str) -> bool:
    """cmd/go's isVersionElement: ``v2``, ``v3``, ``v10`` ... but not ``v0``, ``v1``, ``v05``."""
    if len(s) < 2 or s[0] != "v" or s[1] == "0" or (s[1] == "1" and len(s) == 2):
        return False
    return s[1:].isdigit() and s[1:].isascii()


def _exec_name(import_path: str) -> str | None:
    """cmd/go's DefaultExecName: last element, or the one before a ``/vN`` suffix."""
    head, _, elem = import_path.rpartition("/")
    if elem != import_path and _is_version_element(elem):
        elem = head.rpartition("/")[2]
    return elem or None


def default_binary_name(
    module_path: str | None,
    package: str | Sequence[str] | None,
    workdir_rel: str = ".",
    *,
    goos: str | None = None,
) -> str | None:
    """The file name ``go build`` writes when there is no ``-o``, or None if unknowable.

    As cmd/go does: a single main package is named after the last element of its import
    path, or the element before it when that is a major-version suffix (``example.com/foo/v2``
    gives ``foo``); a list of ``.go`` files is named after the first file (``main.go`` gives
    ``main``). ``package`` is the package argument(s) as written (None or ``.`` for the
    current directory); ``workdir_rel`` is the build directory relative to the module root,
    used to resolve relative packages against ``module_path``. ``.exe`` is appended when
    ``goos`` is ``windows``. None for patterns (``./...``), several packages, expansions
    (``$PKG``), globs, absolute paths and anything outside the module.
    """
    if package is None:
        pkgs: list[str] = []
    elif isinstance(package, str):
        pkgs = package.split()
    else:
        pkgs = list(package)
    if any(re.search(r"[$`*?\[]|\.\.\.", p) for p in pkgs):
        return None
    name: str | None
    if pkgs and all(p.endswith(".go") for p in pkgs):
        name = posixpath.basename(pkgs[0])[: -len(".go")] or None
    elif len(pkgs) > 1:
        return None
    else:
        p = pkgs[0] if pkgs else "."
        if "@" in p:
            p = p.split("@", 1)[0]
        if p in ("std", "cmd", "all", "tool", "work") or not p:
            return None
        local = p in (".", "..") or p.startswith(("./", "../"))
        if p.startswith("/"):
            return None
        if local:
            rel = posixpath.normpath(posixpath.join(workdir_rel or ".", p))
            if rel == ".." or rel.startswith(("../", "/")):
                return None
            if module_path:
                name = _exec_name(module_path if rel == "." else f"{module_path}/{rel}")
            elif rel == ".":
                return None
            else:
                parts = rel.split("/")
                if _is_version_element(parts[-1]):
                    name = parts[-2] if len(parts) > 1 else None
                else:
                    name = parts[-1]
        else:
            name = _exec_name(posixpath.normpath(p))
    if name is None:
        return None
    return name + ".exe" if goos == "windows" else name
