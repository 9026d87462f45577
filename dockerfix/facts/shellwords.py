"""Shell text as words: a small, non-executing POSIX ``sh`` lexer.

The fixer rules need three things from the shell text of ``RUN``/``CMD``/``ENTRYPOINT``:

* which shell features a command uses that an exec-form (JSON) command could not reproduce
  (:func:`shell_features`), because distroless and scratch images have no shell;
* the words of a command that uses none of them (:func:`split_words`), and the inverse
  (:func:`quote_word`);
* the simple commands of a script with exact character offsets (:func:`simple_commands`), so
  that :mod:`dockerfix.facts.gocmd` can edit one ``go build`` in place.

The lexer follows the POSIX Shell Command Language (XCU 2.2-2.3): backslash, single and double
quotes (a backslash inside double quotes only escapes ``$`` `````` ``"`` ``\\`` and newline),
``$NAME``/``${...}``/``$(...)``/``$((...))``/backquotes, operators, ``#`` comments at the start
of a word, and here-documents. Backslash-newline is a line continuation. Because the text comes
from a Dockerfile, blank lines and ``#`` comment lines directly after a line continuation are
dropped, as BuildKit does when it joins an instruction's lines.

Nothing here executes anything, and no function raises on any input string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    _F = TypeVar("_F", bound=Callable[..., Any])

__all__ = [
    "SHELL_BUILTINS",
    "SHELL_RESERVED_WORDS",
    "Comment",
    "HereDoc",
    "Lexed",
    "Operator",
    "Redirect",
    "Segment",
    "SimpleCommand",
    "Word",
    "quote_word",
    "script_heredocs",
    "shell_features",
    "simple_commands",
    "split_words",
    "tokenize",
]

#: Reserved words (XCU 2.4) plus the bash/ksh ones that a ``SHELL ["bash", ...]`` might use.
SHELL_RESERVED_WORDS = frozenset(
    {
        "!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in",
        "then", "until", "while", "[[", "]]", "function", "select", "coproc",
    }
)  # fmt: skip

#: Builtins that have no executable of the same name on a normal system, so an exec-form
#: command cannot start them (``["cd", "/app"]`` fails with "executable file not found").
SHELL_BUILTINS = frozenset(
    {
        ".", ":", "alias", "break", "cd", "continue", "declare", "eval", "exec", "exit",
        "export", "let", "local", "readonly", "return", "set", "shift", "source", "trap",
        "typeset", "ulimit", "umask", "unalias", "unset", "wait",
    }
)  # fmt: skip

_CONTROL_OPS = frozenset({"&&", "||", ";", ";;", "&", "|", "|&", "(", ")", "\n"})
_REDIRECT_OPS = frozenset({"<", ">", ">>", "<&", ">&", "<>", ">|", "&>", "&>>", "<<", "<<-", "<<<"})
_OPERATORS = sorted(_CONTROL_OPS - {"\n"} | _REDIRECT_OPS, key=len, reverse=True)
_META = frozenset(" \t\n|&;<>()")
_PLAIN_STOP = re.compile(r"[ \t\r\n|&;<>()\\'\"$`]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_SPECIAL_PARAMS = frozenset("@*#?$!-0123456789")
_BRACE_EXPANSION = re.compile(r"\{[^{}\s]*(?:,|\.\.)[^{}\s]*\}")
# Is there a '[', one or more characters other than ']', then ']'? (Only ``.search`` is used.)
# Not \[[^\]]+\]: that rescans to the end from every '[' of a '[[[[...' word (O(n^2)). Here
# the run after a '[' stops at the next '[': the last '[' before a ']' starts the match, or,
# when it is right before the ']' ("[a[]"), the '[' before it.
_BRACKET_GLOB = re.compile(r"\[[^\[\]]*[^\]]\]")
_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})


# --------------------------------------------------------------------------- data model


class Segment(Record):
    """One quoting unit of a word, with its text after quote removal.

    ``kind`` is one of ``plain`` (unquoted literal text), ``escape`` (unquoted ``\\c``),
    ``continuation`` (backslash-newline, contributes nothing), ``single`` (``'...'``),
    ``double`` (``"..."``), ``expansion`` (unquoted ``$NAME``, ``${...}``, ``$(...)``,
    ``$((...))`` or backquotes), ``ansi`` (bash ``$'...'``) and ``locale`` (bash ``$"..."``).
    ``value`` is the text the segment contributes, with expansions kept verbatim;
    ``positions[i]`` is the offset in the source text of ``value[i]``. ``dynamic`` is true when
    the segment contains an expansion, so its real value is only known at run time.
    """

    start: int
    end: int
    kind: str
    value: str
    positions: tuple[int, ...]
    dynamic: bool = False


class Word(Record):
    """A shell word with its source span, quoting segments and the features it uses."""

    start: int
    end: int
    raw: str
    segments: tuple[Segment, ...]
    features: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The word after quote removal, with any expansions left verbatim (``$X``)."""
        return "".join(s.value for s in self.segments)

    @property
    def dynamic(self) -> bool:
        """True when the word contains an expansion (its value is known only at run time)."""
        return any(s.dynamic for s in self.segments)

    @property
    def value(self) -> str | None:
        """The word after quote removal, or None when it contains an expansion."""
        return None if self.dynamic else self.text

    @property
    def quoted(self) -> bool:
        """True when any part of the word is quoted or escaped."""
        return any(s.kind not in ("plain", "expansion", "continuation") for s in self.segments)

    def source_index(self, text_index: int) -> int:
        """Offset in the source text of ``self.text[text_index]`` (``end`` past the end)."""
        n = 0
        for seg in self.segments:
            if text_index < n + len(seg.value):
                return seg.positions[text_index - n]
            n += len(seg.value)
        return self.end


class Operator(Record):
    """A control or redirection operator (``&&``, ``|``, ``;``, ``>``, ``<<-``, newline ...).

    ``io_number`` is the file descriptor written before a redirection (``2`` in ``2>&1``).
    """

    start: int
    end: int
    op: str
    io_number: str | None = None

    @property
    def display(self) -> str:
        """The operator as written, including its file-descriptor prefix."""
        return (self.io_number or "") + self.op


class Comment(Record):
    """A ``#`` comment, up to but not including the newline."""

    start: int
    end: int


class HereDoc(Record):
    """A here-document body. ``start``/``end`` span the body and the delimiter line.

    ``body_start``/``body_end`` span only the body lines. ``quoted`` is true when the delimiter
    was quoted (the body is then taken literally); ``strip_tabs`` for ``<<-``;
    ``terminated`` is false when the text ended before the delimiter line.
    """

    start: int
    end: int
    body_start: int
    body_end: int
    delimiter: str
    quoted: bool
    strip_tabs: bool
    terminated: bool


Token = Word | Operator | Comment | HereDoc


class Lexed(Record):
    """The tokens of a shell text; ``error`` describes unbalanced quoting, if any."""

    tokens: tuple[Token, ...]
    error: str | None = None


class Redirect(Record):
    """A redirection of a simple command: its operator and target word (None if missing)."""

    start: int
    end: int
    op: Operator
    target: Word | None
    heredoc: HereDoc | None = None


class SimpleCommand(Record):
    """One simple command: ``NAME=value ... word ... [redirections]``.

    ``start``/``end`` cover its assignments, words and redirections (not here-document bodies).
    ``keywords`` are reserved words that preceded it (``if``, ``then``, ``!``, ``{`` ...).
    """

    start: int
    end: int
    assignments: tuple[Word, ...]
    words: tuple[Word, ...]
    redirects: tuple[Redirect, ...] = ()
    keywords: tuple[str, ...] = ()

    @property
    def heredocs(self) -> tuple[HereDoc, ...]:
        """The here-documents attached to this command."""
        return tuple(r.heredoc for r in self.redirects if r.heredoc is not None)


# --------------------------------------------------------------------------- the lexer


def _short(raw: str, limit: int = 40) -> str:
    raw = " ".join(raw.split())
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


_MAX_NESTING = 100


class _Lexer:
    __slots__ = ("depth", "errors", "limit", "text")

    def __init__(
        self, text: str, limit: int, errors: list[str] | None = None, depth: int = 0
    ) -> None:
        self.text = text
        self.limit = limit
        self.errors: list[str] = [] if errors is None else errors
        self.depth = depth

    def too_deep(self) -> bool:
        """Guard for nested quotes and substitutions: stop lexing beyond ``_MAX_NESTING``."""
        if self.depth < _MAX_NESTING:
            return False
        if "nesting too deep" not in self.errors:
            self.errors.append("nesting too deep")
        return True

    # -- small helpers -------------------------------------------------------------------

    def newline_len(self, i: int) -> int:
        """Length of a newline at ``i`` (``\\n`` or ``\\r\\n``), else 0."""
        t = self.text
        if i < self.limit and t[i] == "\n":
            return 1
        if i + 1 < self.limit and t[i] == "\r" and t[i + 1] == "\n":
            return 2
        return 0

    def continuation_end(self, i: int) -> int:
        """If ``text[i]`` starts backslash-newline, the index after it (and after any blank or
        comment lines that BuildKit drops inside a continuation); else -1."""
        t = self.text
        if i >= self.limit or t[i] != "\\":
            return -1
        n = self.newline_len(i + 1)
        if not n:
            return -1
        j = i + 1 + n
        while j < self.limit:
            k = j
            while k < self.limit and t[k] in " \t":
                k += 1
            if k < self.limit and t[k] == "#":
                while k < self.limit and t[k] != "\n":
                    k += 1
            nl = self.newline_len(k)
            if k >= self.limit or not nl:
                break
            # whitespace-only or comment-only line: skip it, including its newline
            j = k + nl
        return j

    # -- nested constructs: each returns the index just past the construct -----------------

    def skip_single(self, i: int) -> int:
        end = self.text.find("'", i + 1, self.limit)
        if end < 0:
            self.errors.append("unterminated single quote")
            return self.limit
        return end + 1

    def skip_backquote(self, i: int) -> int:
        t = self.text
        j = i + 1
        while j < self.limit:
            if t[j] == "\\":
                j += 2
                continue
            if t[j] == "`":
                return j + 1
            j += 1
        self.errors.append("unterminated backquote")
        return self.limit

    def skip_double(self, i: int) -> int:
        """``text[i]`` is ``"``; skip to after the closing quote."""
        if self.too_deep():
            return self.limit
        self.depth += 1
        try:
            return self._skip_double(i)
        finally:
            self.depth -= 1

    def skip_parens(self, i: int) -> int:
        """``text[i]`` is ``(``; skip to after the matching ``)``."""
        if self.too_deep():
            return self.limit
        self.depth += 1
        try:
            return self._skip_parens(i)
        finally:
            self.depth -= 1

    def skip_braced(self, i: int, *, in_double: bool) -> int:
        """``text[i]`` is ``{`` after a ``$``; skip to after the matching ``}``."""
        if self.too_deep():
            return self.limit
        self.depth += 1
        try:
            return self._skip_braced(i, in_double=in_double)
        finally:
            self.depth -= 1

    def _skip_double(self, i: int) -> int:
        t = self.text
        j = i + 1
        while j < self.limit:
            c = t[j]
            if c == "\\":
                j += 2
            elif c == '"':
                return j + 1
            elif c == "$":
                j = self.skip_dollar(j, in_double=True)
            elif c == "`":
                j = self.skip_backquote(j)
            else:
                j += 1
        self.errors.append("unterminated double quote")
        return self.limit

    def _skip_parens(self, i: int) -> int:
        """``text[i]`` is ``(``; skip to after the matching ``)``."""
        t = self.text
        depth = 0
        j = i
        at_word_start = True
        while j < self.limit:
            c = t[j]
            if c == "\\":
                j += 2
                at_word_start = False
                continue
            if c == "'":
                j = self.skip_single(j)
            elif c == '"':
                j = self.skip_double(j)
            elif c == "`":
                j = self.skip_backquote(j)
            elif c == "$":
                j = self.skip_dollar(j, in_double=False)
            elif c == "#" and at_word_start:
                while j < self.limit and t[j] != "\n":
                    j += 1
                continue
            elif c == "(":
                depth += 1
                j += 1
            elif c == ")":
                depth -= 1
                j += 1
                if depth == 0:
                    return j
            else:
                j += 1
            at_word_start = c in " \t\n;|&("
            continue
        self.errors.append("unterminated command substitution")
        return self.limit

    def _skip_braced(self, i: int, *, in_double: bool) -> int:
        """``text[i]`` is ``{`` after a ``$``; skip to after the matching ``}``."""
        t = self.text
        j = i + 1
        while j < self.limit:
            c = t[j]
            if c == "\\":
                j += 2
            elif c == "}":
                return j + 1
            elif c == "'" and not in_double:
                j = self.skip_single(j)
            elif c == '"':
                j = self.skip_double(j)
            elif c == "`":
                j = self.skip_backquote(j)
            elif c == "$":
                j = self.skip_dollar(j, in_double=in_double)
            else:
                j += 1
        self.errors.append("unterminated ${...} expansion")
        return self.limit

    def dollar_kind(self, i: int, *, in_double: bool) -> str:
        """Classify the ``$`` at ``i``: variable, braced, command, arith, ansi, locale, literal."""
        t = self.text
        n = t[i + 1] if i + 1 < self.limit else ""
        if n == "{":
            return "braced"
        if n == "(":
            return "arith" if i + 2 < self.limit and t[i + 2] == "(" else "command"
        if n == "'" and not in_double:
            return "ansi"
        if n == '"' and not in_double:
            return "locale"
        if n and ((n.isascii() and (n.isalpha() or n == "_")) or n in _SPECIAL_PARAMS):
            return "variable"
        return "literal"

    def skip_dollar(self, i: int, *, in_double: bool) -> int:
        t = self.text
        kind = self.dollar_kind(i, in_double=in_double)
        if kind == "braced":
            return self.skip_braced(i + 1, in_double=in_double)
        if kind in ("command", "arith"):
            return self.skip_parens(i + 1)
        if kind == "ansi":
            j = i + 2
            while j < self.limit:
                if t[j] == "\\":
                    j += 2
                elif t[j] == "'":
                    return j + 1
                else:
                    j += 1
            self.errors.append("unterminated $'...' quote")
            return self.limit
        if kind == "locale":
            return self.skip_double(i + 1)
        if kind == "variable":
            if t[i + 1] in _SPECIAL_PARAMS:
                return i + 2
            m = _NAME.match(t, i + 1, self.limit)
            return m.end() if m else i + 1
        return i + 1

    @staticmethod
    def expansion_feature(kind: str, raw: str) -> str:
        if kind == "command":
            return f"command substitution `{_short(raw)}`"
        if kind == "arith":
            return f"arithmetic expansion `{_short(raw)}`"
        if kind == "ansi":
            return f"ANSI-C quoting `{_short(raw)}`"
        if kind == "locale":
            return f"locale quoting `{_short(raw)}`"
        return f"variable expansion `{_short(raw)}`"

    # -- words ---------------------------------------------------------------------------

    def lex_double(self, i: int, feats: list[str]) -> tuple[Segment, int]:
        """Lex ``"..."`` starting at ``i``; returns the segment and the index after it."""
        t = self.text
        val: list[str] = []
        pos: list[int] = []
        dynamic = False
        j = i + 1
        while j < self.limit:
            c = t[j]
            if c == '"':
                return Segment(i, j + 1, "double", "".join(val), tuple(pos), dynamic), j + 1
            if c == "\\":
                ce = self.continuation_end(j)
                if ce >= 0:
                    j = ce
                    continue
                if j + 1 < self.limit and t[j + 1] in '$`"\\':
                    val.append(t[j + 1])
                    pos.append(j + 1)
                    j += 2
                    continue
                val.append("\\")
                pos.append(j)
                j += 1
                continue
            if c == "$":
                kind = self.dollar_kind(j, in_double=True)
                if kind != "literal":
                    e = self.skip_dollar(j, in_double=True)
                    feats.append(self.expansion_feature(kind, t[j:e]))
                    val.append(t[j:e])
                    pos.extend(range(j, e))
                    dynamic = True
                    j = e
                    continue
            if c == "`":
                e = self.skip_backquote(j)
                feats.append("command substitution (backquotes)")
                val.append(t[j:e])
                pos.extend(range(j, e))
                dynamic = True
                j = e
                continue
            val.append(c)
            pos.append(j)
            j += 1
        self.errors.append("unterminated double quote")
        return Segment(i, self.limit, "double", "".join(val), tuple(pos), dynamic), self.limit

    def lex_word(self, i: int) -> Word:
        t = self.text
        start = i
        segs: list[Segment] = []
        feats: list[str] = []
        while i < self.limit:
            c = t[i]
            if c in _META or (c == "\r" and self.newline_len(i)):
                break
            if c == "\\":
                ce = self.continuation_end(i)
                if ce >= 0:
                    segs.append(Segment(i, ce, "continuation", "", ()))
                    i = ce
                elif i + 1 < self.limit:
                    segs.append(Segment(i, i + 2, "escape", t[i + 1], (i + 1,)))
                    i += 2
                else:  # a lone backslash at the very end is kept literally
                    segs.append(Segment(i, i + 1, "plain", "\\", (i,)))
                    i += 1
            elif c == "'":
                close = t.find("'", i + 1, self.limit)
                if close < 0:
                    self.errors.append("unterminated single quote")
                    close = e = self.limit
                else:
                    e = close + 1
                segs.append(Segment(i, e, "single", t[i + 1 : close], tuple(range(i + 1, close))))
                i = e
            elif c == '"':
                seg, i = self.lex_double(i, feats)
                segs.append(seg)
            elif c == "$":
                kind = self.dollar_kind(i, in_double=False)
                if kind == "literal":
                    segs.append(Segment(i, i + 1, "plain", "$", (i,)))
                    i += 1
                    continue
                e = self.skip_dollar(i, in_double=False)
                feats.append(self.expansion_feature(kind, t[i:e]))
                seg_kind = kind if kind in ("ansi", "locale") else "expansion"
                segs.append(Segment(i, e, seg_kind, t[i:e], tuple(range(i, e)), True))
                i = e
            elif c == "`":
                e = self.skip_backquote(i)
                feats.append("command substitution (backquotes)")
                segs.append(Segment(i, e, "expansion", t[i:e], tuple(range(i, e)), True))
                i = e
            else:
                m = _PLAIN_STOP.search(t, i, self.limit)
                e = m.start() if m else self.limit
                if e == i:  # a lone "\r" not followed by "\n": an ordinary character
                    e = i + 1
                segs.append(Segment(i, e, "plain", t[i:e], tuple(range(i, e))))
                i = e
        feats.extend(self.pattern_features(segs))
        return Word(start, i, t[start:i], tuple(segs), tuple(feats))

    @staticmethod
    def pattern_features(segs: list[Segment]) -> list[str]:
        """Globs, brace expansion and tilde expansion in the unquoted parts of a word."""
        # Quoted or expanded text is replaced by NUL so that only unquoted characters count.
        unquoted = "".join(
            s.value if s.kind == "plain" else ("" if s.kind == "continuation" else "\0")
            for s in segs
        )
        out: list[str] = []
        for ch in "*?":
            if ch in unquoted:
                out.append(f"glob `{ch}`")
        if _BRACKET_GLOB.search(unquoted):
            out.append("glob `[...]`")
        brace = _BRACE_EXPANSION.search(unquoted)
        if brace:
            out.append(f"brace expansion `{brace.group()}`")
        if unquoted.startswith("~"):
            out.append("tilde expansion `~`")
        else:
            m = _ASSIGNMENT.match(unquoted)
            if m and ("~" in unquoted[m.end() : m.end() + 1] or ":~" in unquoted[m.end() :]):
                out.append("tilde expansion `~`")
        return out

    # -- the token stream ----------------------------------------------------------------

    def read_heredoc(self, i: int, delim: str, quoted: bool, strip_tabs: bool) -> HereDoc:
        t = self.text
        body_start = i
        j = i
        while j < self.limit:
            nl = t.find("\n", j, self.limit)
            line_end = self.limit if nl < 0 else nl
            line = t[j:line_end]
            if line.endswith("\r"):
                line = line[:-1]
            if strip_tabs:
                line = line.lstrip("\t")
            if line == delim:
                after = self.limit if nl < 0 else nl + 1
                return HereDoc(body_start, after, body_start, j, delim, quoted, strip_tabs, True)
            if nl < 0:
                break
            j = nl + 1
        return HereDoc(
            body_start, self.limit, body_start, self.limit, delim, quoted, strip_tabs, False
        )

    def operator_at(self, i: int) -> str | None:
        """The longest operator starting at ``i``, if any."""
        return next(
            (o for o in _OPERATORS if self.text.startswith(o, i) and i + len(o) <= self.limit),
            None,
        )

    def tokens(self, i: int) -> Iterator[Token]:
        t = self.text
        pending: list[tuple[str, bool, bool]] = []
        expect_delim: bool | None = None  # None: no; else strip_tabs of the pending "<<"
        at_word_start = True
        while i < self.limit:
            c = t[i]
            if c in " \t":
                i += 1
                at_word_start = True
                continue
            ce = self.continuation_end(i)
            if ce >= 0:
                i = ce
                continue
            nl = self.newline_len(i)
            if nl:
                yield Operator(i, i + nl, "\n")
                i += nl
                at_word_start = True
                for delim, quoted, strip in pending:
                    doc = self.read_heredoc(i, delim, quoted, strip)
                    yield doc
                    i = doc.end
                pending.clear()
                continue
            if c == "#" and at_word_start:
                e = t.find("\n", i, self.limit)
                e = self.limit if e < 0 else e
                if e > i and t[e - 1] == "\r":
                    e -= 1
                yield Comment(i, e)
                i = e
                continue
            op = self.operator_at(i) if c in "|&;<>()" else None
            if op is not None:
                yield Operator(i, i + len(op), op)
                if op in ("<<", "<<-"):
                    expect_delim = op == "<<-"
                i += len(op)
                at_word_start = True
                continue
            word = self.lex_word(i)
            if word.end <= i:  # cannot happen; guards against an endless loop
                i += 1
                continue
            i = word.end
            if word.raw.isdigit() and i < self.limit and t[i] in "<>":
                op = self.operator_at(i) or t[i]
                yield Operator(word.start, i + len(op), op, io_number=word.raw)
                if op in ("<<", "<<-"):
                    expect_delim = op == "<<-"
                i += len(op)
                continue
            yield word
            if expect_delim is not None:
                pending.append((word.text, word.quoted, expect_delim))
                expect_delim = None
            at_word_start = False


#: Entries of the memo caches of :func:`tokenize` and :func:`simple_commands`: the rules
#: and passes of one fix ask for the same RUN text some 30 times.
CACHE_SIZE = 4096
_MEMOS: list[functools._lru_cache_wrapper[Any]] = []


def memo(func: _F) -> _F:
    """``func`` memoised by its (hashable) arguments in a bounded cache (its result must be
    immutable); :func:`clear_caches` empties every such cache."""
    cached = functools.lru_cache(maxsize=CACHE_SIZE)(func)
    _MEMOS.append(cached)
    return cached  # type: ignore[return-value]  # same call signature, memoised


def clear_caches() -> None:
    """Forget every memoised result (to measure or test a cold run)."""
    for cached in _MEMOS:
        cached.cache_clear()


@memo
def tokenize(text: str, start: int = 0, end: int | None = None) -> Lexed:
    """Lex ``text[start:end]`` into words, operators, comments and here-documents.

    Offsets in the result are offsets into ``text``. Never raises; unbalanced quoting is
    reported in :attr:`Lexed.error`. Memoised by the arguments (the result is immutable:
    tuples of named tuples, shared by every caller).
    """
    limit = len(text) if end is None else max(0, min(end, len(text)))
    lexer = _Lexer(text, limit)
    tokens = tuple(lexer.tokens(max(0, start)))
    error = lexer.errors[0] if lexer.errors else None
    return Lexed(tokens, error)


# --------------------------------------------------------------------------- simple commands


class _Builder:
    __slots__ = ("assignments", "end", "keywords", "redirects", "start", "words")

    def __init__(
        self,
        assignments: list[Word] | None = None,
        words: list[Word] | None = None,
        redirects: list[Redirect] | None = None,
        keywords: list[str] | None = None,
        start: int = -1,
        end: int = -1,
    ) -> None:
        self.assignments: list[Word] = [] if assignments is None else assignments
        self.words: list[Word] = [] if words is None else words
        self.redirects: list[Redirect] = [] if redirects is None else redirects
        self.keywords: list[str] = [] if keywords is None else keywords
        self.start = start
        self.end = end

    def touch(self, start: int, end: int) -> None:
        if self.start < 0:
            self.start = start
        self.end = max(self.end, end)

    def empty(self) -> bool:
        return not (self.assignments or self.words or self.redirects)


def _is_assignment(word: Word) -> bool:
    """``NAME=...`` with an unquoted name: a variable assignment in command-prefix position."""
    if not word.segments or word.segments[0].kind != "plain":
        return False
    return _ASSIGNMENT.match(word.segments[0].value) is not None


def _parse(lexed: Lexed) -> Iterator[tuple[SimpleCommand, Operator | None]]:
    """Group tokens into simple commands, each with the control operator that ends it."""
    b = _Builder()
    toks = lexed.tokens
    mode = ""  # "" | "for" (skip to ; / newline / do) | "case" (skip to "in") | "pattern"
    i = 0

    def flush() -> SimpleCommand | None:
        nonlocal b
        cmd = None
        if not b.empty():
            cmd = SimpleCommand(
                b.start,
                b.end,
                tuple(b.assignments),
                tuple(b.words),
                tuple(b.redirects),
                tuple(b.keywords),
            )
        b = _Builder()
        return cmd

    while i < len(toks):
        tok = toks[i]
        i += 1
        if isinstance(tok, Comment | HereDoc):
            continue
        if isinstance(tok, Operator):
            if tok.op in _REDIRECT_OPS:
                target = None
                if i < len(toks) and isinstance(toks[i], Word):
                    target = toks[i]
                    i += 1
                doc = None
                if tok.op in ("<<", "<<-"):
                    doc = next((d for d in toks[i:] if isinstance(d, HereDoc)), None)
                end = target.end if isinstance(target, Word) else tok.end
                if mode == "":
                    b.redirects.append(
                        Redirect(
                            tok.start, end, tok, target if isinstance(target, Word) else None, doc
                        )
                    )
                    b.touch(tok.start, end)
                continue
            if mode == "pattern":
                if tok.op == ")":
                    mode = ""
                continue
            if mode == "for" and tok.op in (";", "\n"):
                mode = ""
                continue
            if mode:
                continue
            cmd = flush()
            if cmd is not None:
                yield cmd, tok
            if tok.op == ";;":
                mode = "pattern"
            continue
        # a word
        word = tok
        if mode == "pattern":
            if word.value == "esac":
                mode = ""
            elif word.value == "(":
                pass
            continue
        if mode == "case":
            if word.value == "in" and not word.quoted:
                mode = "pattern"
            continue
        if mode == "for":
            if word.value == "do" and not word.quoted:
                mode = ""
            continue
        at_command_start = not b.words and not b.assignments
        if at_command_start and not word.quoted and word.text in SHELL_RESERVED_WORDS:
            b.keywords.append(word.text)
            if word.text in ("for", "select"):
                mode = "for"
            elif word.text == "case":
                mode = "case"
            elif word.text in ("}", "done", "fi", "esac", "]]"):
                cmd = flush()
                if cmd is not None:
                    yield cmd, None
            continue
        if not b.words and _is_assignment(word):
            b.assignments.append(word)
        else:
            b.words.append(word)
        b.touch(word.start, word.end)
    cmd = flush()
    if cmd is not None:
        yield cmd, None


def simple_commands(text: str, start: int = 0, end: int | None = None) -> list[SimpleCommand]:
    """The simple commands of ``text[start:end]`` in source order (offsets into ``text``).

    Compound commands are looked through: ``if go build; then ...; fi`` yields ``go build``
    and the commands of the ``then`` branch. ``for``/``case`` headers and ``case`` patterns
    are skipped. Here-document bodies are not parsed as commands (see
    :attr:`SimpleCommand.heredocs`). Memoised: a new list of the shared, immutable commands.
    """
    return list(_simple_commands(text, start, end))


@memo
def _simple_commands(text: str, start: int, end: int | None) -> tuple[SimpleCommand, ...]:
    return tuple(cmd for cmd, _ in _parse(tokenize(text, start, end)))


def script_heredocs(cmd: SimpleCommand) -> tuple[HereDoc, ...]:
    """Here-documents of ``cmd`` whose body is itself a shell script.

    That is the Dockerfile form ``RUN <<EOF`` (no command word), and a shell reading its
    script from standard input (``sh <<EOF``, ``bash -e <<EOF``).
    """
    if not cmd.heredocs:
        return ()
    words = [w.value for w in cmd.words]
    if words and (words[0] is None or words[0].rsplit("/", 1)[-1] not in _SHELLS):
        return ()
    if any(w is None or not w.startswith("-") or w in ("-c",) for w in words[1:]):
        return ()
    return cmd.heredocs


# --------------------------------------------------------------------------- public helpers


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _execs_program(toks: tuple[Token, ...], k: int) -> bool:
    """True when the ``exec`` at ``toks[k]`` is followed by a program to run (``exec ./app``).

    That is reproducible in exec form (the program replaces the shell either way), while a
    bare ``exec`` or ``exec -a name ...`` is not.
    """
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    return isinstance(nxt, Word) and not nxt.text.startswith("-")


def shell_features(text: str) -> list[str]:
    """The shell features ``text`` uses that an exec-form (JSON) command could not reproduce.

    Each is a short human phrase, in order of first appearance, without duplicates, e.g.
    ``"variable expansion `$PORT`"``, ``"`&&` command list"``, ``"pipe `|`"``,
    ``"redirection `2>&1`"``, ``"glob `*`"``, ``"command substitution `$(date)`"``,
    ``"here-document `<<EOF`"``, ``"comment `#`"``, ``"variable assignment `A=1`"``,
    ``"shell keyword `if`"``, ``"shell builtin `cd`"``. ``exec PROGRAM ...`` is not a
    feature: exec form reproduces it once the leading ``exec`` word is dropped, which the
    caller must do (:func:`split_words` keeps it). Quoting is honoured: ``'$HOME'`` is
    literal, ``"$HOME"`` expands. Unbalanced quoting is not a feature (see
    :func:`split_words`). Never raises.
    """
    lexed = tokenize(text)
    feats: list[str] = []
    if lexed.error == "nesting too deep":
        feats.append("deeply nested quoting or substitution")
    toks = lexed.tokens
    meaningful = [
        k
        for k, tok in enumerate(toks)
        if not (isinstance(tok, HereDoc) or (isinstance(tok, Operator) and tok.op == "\n"))
    ]
    first = meaningful[0] if meaningful else len(toks)
    last = meaningful[-1] if meaningful else -1
    at_command_start = True
    skip_word = False  # the next word is a redirection target or here-document delimiter
    for k, tok in enumerate(toks):
        if isinstance(tok, Comment):
            feats.append("comment `#`")
            continue
        if isinstance(tok, HereDoc):
            continue
        if isinstance(tok, Operator):
            op = tok.op
            if op == "\n":
                if first < k < last:
                    feats.append("newline command separator")
                at_command_start = True
            elif op in ("&&", "||"):
                feats.append(f"`{op}` command list")
                at_command_start = True
            elif op in ("|", "|&"):
                feats.append(f"pipe `{op}`")
                at_command_start = True
            elif op == ";":
                feats.append("`;` command separator")
                at_command_start = True
            elif op == ";;":
                feats.append("`;;` case terminator")
                at_command_start = True
            elif op == "&":
                feats.append("background `&`")
                at_command_start = True
            elif op in ("(", ")"):
                feats.append("subshell `( … )`")
                at_command_start = True
            elif op in ("<<", "<<-"):
                nxt = toks[k + 1] if k + 1 < len(toks) else None
                delim = nxt.raw if isinstance(nxt, Word) else ""
                feats.append(f"here-document `{tok.display}{delim}`")
            elif op == "<<<":
                feats.append(f"here-string `{tok.display}`")
            else:
                nxt = toks[k + 1] if k + 1 < len(toks) else None
                dup = op in ("<&", ">&") and isinstance(nxt, Word) and nxt.start == tok.end
                target = nxt.raw if dup and isinstance(nxt, Word) else ""
                feats.append(f"redirection `{tok.display}{target}`")
            skip_word = op in _REDIRECT_OPS
            continue
        feats.extend(tok.features)
        if skip_word:
            skip_word = False
            continue
        if at_command_start:
            if not tok.quoted and tok.text in SHELL_RESERVED_WORDS:
                feats.append(f"shell keyword `{tok.text}`")
                continue
            if _is_assignment(tok):
                feats.append(f"variable assignment `{_short(tok.raw)}`")
                continue
            if tok.text in SHELL_BUILTINS and not (tok.text == "exec" and _execs_program(toks, k)):
                feats.append(f"shell builtin `{tok.text}`")
        at_command_start = False
    return _dedupe(feats)


def split_words(text: str) -> list[str] | None:
    """POSIX word splitting with quote removal, or None if that would not be faithful.

    Returns None when :func:`shell_features` reports anything (expansions, operators, globs
    ...) or the quoting is unbalanced. Unlike ``shlex.split``, a backslash inside double
    quotes only escapes ``$`` `````` ``"`` ``\\`` and newline (``"a\\nb"`` keeps its
    backslash). Never raises.
    """
    lexed = tokenize(text)
    if lexed.error is not None:
        return None
    if shell_features(text):
        return None
    words: list[str] = []
    for tok in lexed.tokens:
        if isinstance(tok, Word):
            words.append(tok.text)
        elif isinstance(tok, Operator) and tok.op == "\n":
            continue  # only leading/trailing newlines remain: they separate nothing
        else:
            return None
    return words


def quote_word(word: str) -> str:
    """Quote ``word`` so that the shell reads it back as exactly one word, minimally.

    Safe words are returned as they are; otherwise single quotes are used, or double quotes
    (escaping ``\\ " $ `````) when the word contains a single quote. Words that the shell
    would treat specially at the start of a command (reserved words, ``NAME=value``) are
    quoted too.
    """
    if (
        word
        and _SAFE_WORD.fullmatch(word)
        and word not in SHELL_RESERVED_WORDS
        and not _ASSIGNMENT.match(word)
    ):
        return word
    if "'" not in word:
        return f"'{word}'"
    escaped = re.sub(r'([\\"$`])', r"\\\1", word)
    return f'"{escaped}"'
