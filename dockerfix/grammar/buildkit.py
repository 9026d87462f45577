"""BuildKit's per-instruction Dockerfile semantics, re-implemented in Python.

This module mirrors what ``moby/buildkit``'s ``frontend/dockerfile/parser`` package
does with ONE logical line (an instruction after continuation lines are joined):
``splitCommand`` and ``extractBuilderFlags``, the per-instruction line parsers
(``parseWords``, ``parseNameVal``, ``parseJSON``, ``parseHealthConfig``, ...),
heredoc detection (``heredocsFromLine``/``heredocFromMatch`` with the shell lexer of
``frontend/dockerfile/shell``), ``Node.Dump()`` and the parser-directive regex.

Go strings are byte strings and several of these routines work on bytes, so some
results only make sense at the byte level.  Python ``str`` values stand for Go
strings with the ``surrogateescape`` convention: a lone surrogate U+DC80..U+DCFF is
the undecodable byte 0x80..0xFF.  (Other lone surrogates cannot occur in a Go
string; they are read as their three UTF-8-ish bytes, which Go treats as invalid.)

Go behaviours reproduced on purpose (all differ from the obvious Python spelling):

* ``unicode.IsSpace`` (``_GO_SPACES``) is used for trimming and word splitting; the
  regex ``[\\t\\v\\f\\r ]+`` (no newline, no Unicode spaces) splits FROM/EXPOSE/ADD
  arguments, the command word and the legacy ``ENV k v`` form.
* ``extractBuilderFlags`` and ``parseHealthConfig`` walk BYTES: each byte of a flag
  becomes the rune U+0000..U+00FF (so ``--from=\u00e9`` reads as ``--from=\u00c3\u00a9``) and
  the bytes 0x85 and 0xA0 (found inside many UTF-8 sequences) count as spaces.
* ``strings.ToLower`` uses simple case mapping (U+0130 lowers to ``i``, Kelvin sign to
  ``k``), so ``ONBU\u0130LD`` dispatches as ONBUILD.
* JSON is Go's ``encoding/json``: the whole text must be one array (no trailing
  text), NaN/Infinity are syntax errors, nesting deeper than 10000 is an error, a
  number that overflows float64 is an error, invalid UTF-8 and bad surrogate escapes
  decode to U+FFFD.  Any such error means "not JSON" (shell form); only a valid array
  with a non-string element is the error "when using JSON array syntax, arrays must be
  comprised of strings only".
"""

from __future__ import annotations

import codecs
import functools
import math
import re
import unicodedata

from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Generator
    from typing import Any, Final

__all__ = [
    "BuildKitError",
    "Heredoc",
    "ParsedInstruction",
    "can_contain_heredoc",
    "dump",
    "go_quote",
    "heredocs_from_line",
    "parse_directive",
    "parse_instruction",
]


class BuildKitError(Exception):
    """A parse error, with the message worded as BuildKit words it."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Heredoc(Record):
    """A heredoc marker found on an instruction's logical line (without its body)."""

    name: str
    file_descriptor: int
    expand: bool
    chomp: bool


class ParsedInstruction(Record):
    """BuildKit's ``*Node`` for one instruction.

    ``cmd`` is the keyword as written; ``flags`` are the ``--flag`` words that
    ``extractBuilderFlags`` took off; ``args`` are the values of the node's ``Next``
    chain (ENV/LABEL: key, value, separator triples; HEALTHCHECK: the type, then the
    command values); ``json`` is the exec-form attribute; ``sub`` is ONBUILD's nested
    instruction.
    """

    cmd: str
    flags: tuple[str, ...]
    args: tuple[str, ...]
    json: bool
    sub: ParsedInstruction | None

    @property
    def name(self) -> str:
        """The keyword lower-cased the way Go's ``strings.ToLower`` does it."""
        return _go_lower(self.cmd)


# --------------------------------------------------------------------------------------
# Go string helpers
# --------------------------------------------------------------------------------------

#: Runes for which Go's ``unicode.IsSpace`` is true.
_GO_SPACES: Final = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACE_SET: Final = frozenset(_GO_SPACES)
#: Bytes ``b`` for which ``unicode.IsSpace(rune(b))`` is true.
_GO_SPACE_BYTES: Final = frozenset(b"\t\n\v\f\r \x85\xa0")

_RE_WHITESPACE: Final = re.compile(r"[\t\v\f\r ]+")
# Go's \s is [\t\n\f\r ] and its $ is the end of the text.
_GO_RE_SPACE: Final = "\t\n\f\r "


# The patterns below are compiled on first use: a run meets them only on some inputs
# (a comment at the top, a heredoc, text that is not valid UTF-8).


@functools.cache
def _re_directive_head() -> re.Pattern[str]:
    r"""The head ``NAME\s*=\s*`` of a parser directive (``\s`` as in Go: ``_GO_RE_SPACE``).

    BuildKit's ``^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`` runs on RE2 (linear time). In
    Python's backtracking engine the lazy ``(.+?)\s*$`` is quadratic on a value followed
    by a long run of spaces, so only the head is a regular expression and
    ``_directive_value`` does the rest in one pass (same result, see its docstring).
    """
    return re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=([\t\n\f\r ]*)")


@functools.cache
def _re_heredoc() -> re.Pattern[str]:
    """A ``<<WORD`` shell word: optional fd digits, ``<<``, optional ``-``, the word."""
    return re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")


@functools.cache
def _re_surrogate() -> re.Pattern[str]:
    """A surrogate code point: an undecodable byte (``surrogateescape``) or a lone one."""
    return re.compile("[\ud800-\udfff]")


_VALID_DIRECTIVES: Final = frozenset({"syntax", "escape", "check"})
_MAX_UINT64: Final = (1 << 64) - 1
_REPLACEMENT: Final = "\ufffd"


def _gobytes_errors(err: UnicodeError) -> tuple[bytes, int]:
    """Encode error handler: escaped bytes back to bytes, other surrogates as UTF-8."""
    if not isinstance(err, UnicodeEncodeError):  # pragma: no cover - encode only
        raise err
    out = bytearray()
    for ch in err.object[err.start : err.end]:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(code - 0xDC00)
        else:
            out += ch.encode("utf-8", "surrogatepass")
    return bytes(out), err.end


codecs.register_error("dockerfix.gobytes", _gobytes_errors)


def _to_bytes(s: str) -> bytes:
    """The Go byte string a Python ``str`` stands for."""
    return s.encode("utf-8", "dockerfix.gobytes")


def _from_bytes(b: bytes) -> str:
    """The Python ``str`` standing for a Go byte string."""
    return b.decode("utf-8", "surrogateescape")


def _canon(s: str) -> str:
    """Normalise a ``str`` so that every lone surrogate stands for exactly one byte."""
    if s.isascii() or _re_surrogate().search(s) is None:
        return s
    return _from_bytes(_to_bytes(s))


def _is_escaped_byte(ch: str) -> bool:
    return "\udc80" <= ch <= "\udcff"


def _rune(ch: str) -> str:
    """The rune Go's UTF-8 decoder yields for a character (invalid bytes give U+FFFD)."""
    return _REPLACEMENT if "\ud800" <= ch <= "\udfff" else ch


def _runes(s: str) -> str:
    """``s`` as Go decodes it rune by rune (each invalid byte becomes U+FFFD)."""
    if s.isascii():
        return s
    surrogate = _re_surrogate()
    if surrogate.search(s) is None:
        return s
    return surrogate.sub(_REPLACEMENT, s)


def _trim_space(s: str) -> str:
    """Go's ``strings.TrimSpace``."""
    return s.strip(_GO_SPACES)


def _trim_left_space(s: str) -> str:
    """Go's ``strings.TrimLeftFunc(s, unicode.IsSpace)``."""
    return s.lstrip(_GO_SPACES)


def _go_lower(s: str) -> str:
    """Go's ``strings.ToLower``: simple per-rune case mapping; invalid bytes become U+FFFD."""
    if s.isascii():
        return s.lower()
    out = []
    for ch in _runes(s):
        low = ch.lower()
        out.append(low if len(low) == 1 else low[0])
    return "".join(out)


def _is_print(ch: str) -> bool:
    """Go's ``strconv.IsPrint``: letters, marks, numbers, punctuation, symbols, ASCII space."""
    code = ord(ch)
    if code < 0x80:
        return 0x20 <= code < 0x7F
    return unicodedata.category(ch)[0] in "LMNPS"


_SHORT_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def go_quote(s: str) -> str:
    """Go's ``strconv.Quote`` of the Go string that ``s`` stands for.

    Escapes ``\\a \\b \\f \\n \\r \\t \\v``, backslash and double quote; other C0
    controls, DEL and undecodable bytes become ``\\xNN``; other non-printable runes
    become ``\\uNNNN`` or ``\\UNNNNNNNN``; printable non-ASCII runes are kept.
    """
    out = ['"']
    for ch in _canon(s):
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif _is_escaped_byte(ch):
            out.append(f"\\x{code - 0xDC00:02x}")
        elif _is_print(ch):
            out.append(ch)
        elif ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _go_split(s: str, n: int) -> list[str]:
    """Go's ``reWhitespace.Split(s, n)`` (``n`` is -1 or 2)."""
    if not s:
        return [""]
    return _RE_WHITESPACE.split(s, maxsplit=0 if n < 0 else n - 1)


# --------------------------------------------------------------------------------------
# splitCommand / extractBuilderFlags
# --------------------------------------------------------------------------------------

_IN_SPACES, _IN_WORD, _IN_QUOTE = 0, 1, 2


def _extract_builder_flags(line: str, escape: str) -> tuple[str, tuple[str, ...]]:
    """Take the leading ``--flag`` words off ``line``; return (rest, flags).

    Walks bytes like BuildKit: a flag's bytes become runes U+0000..U+00FF.
    """
    data = _to_bytes(line)
    esc = ord(escape)
    size = len(data)
    words: list[str] = []
    word = bytearray()
    phase = _IN_SPACES
    quote = 0
    blank_ok = False
    ch = 0
    pos = 0
    while pos <= size:
        if pos != size:
            ch = data[pos]
        if phase == _IN_SPACES:
            if pos == size:
                break
            if ch in _GO_SPACE_BYTES:
                pos += 1
                continue
            if ch != 0x2D or pos + 1 == size or data[pos + 1] != 0x2D:
                return _from_bytes(data[pos:]), tuple(words)
            phase = _IN_WORD
        if pos == size:  # in a word or a quote
            if word != b"--" and (blank_ok or word):
                words.append(word.decode("latin-1"))
            break
        if phase == _IN_WORD:
            if ch in _GO_SPACE_BYTES:
                phase = _IN_SPACES
                if word == b"--":
                    return _from_bytes(data[pos:]), tuple(words)
                if blank_ok or word:
                    words.append(word.decode("latin-1"))
                word = bytearray()
                blank_ok = False
                pos += 1
                continue
            if ch in (0x27, 0x22):
                quote = ch
                blank_ok = True
                phase = _IN_QUOTE
                pos += 1
                continue
            if ch == esc:
                if pos + 1 == size:
                    pos += 1
                    continue
                pos += 1
                ch = data[pos]
            word.append(ch)
            pos += 1
            continue
        # phase == _IN_QUOTE
        if ch == quote:
            phase = _IN_WORD
            pos += 1
            continue
        if ch == esc:
            if pos + 1 == size:
                phase = _IN_WORD
                pos += 1
                continue
            pos += 1
            ch = data[pos]
        word.append(ch)
        pos += 1
    return "", tuple(words)


def _split_command(line: str, escape: str) -> tuple[str, tuple[str, ...], str]:
    """BuildKit's ``splitCommand``: (keyword as written, flags, trimmed arguments)."""
    cmdline = _go_split(_trim_space(line), 2)
    flags: tuple[str, ...] = ()
    args = ""
    if len(cmdline) == 2:
        args, flags = _extract_builder_flags(cmdline[1], escape)
    return cmdline[0], flags, _trim_space(args)


# --------------------------------------------------------------------------------------
# Line parsers
# --------------------------------------------------------------------------------------

_Parsed = tuple[tuple[str, ...], bool]
_NOT_STRING_ARRAY: Final = "when using JSON array syntax, arrays must be comprised of strings only"


def _parse_words(rest: str, escape: str) -> list[str]:
    """BuildKit's ``parseWords``: split on spaces, keeping quotes and escape tokens."""
    words: list[str] = []
    buf: list[str] = []
    phase = _IN_SPACES
    quote = ""
    blank_ok = False
    size = len(rest)
    ch = ""
    pos = 0
    while pos <= size:
        if pos != size:
            ch = rest[pos]
        if phase == _IN_SPACES:
            if pos == size:
                break
            if ch in _GO_SPACE_SET:
                pos += 1
                continue
            phase = _IN_WORD
        if pos == size:  # in a word or a quote
            if blank_ok or buf:
                words.append("".join(buf))
            break
        if phase == _IN_WORD:
            if ch in _GO_SPACE_SET:
                phase = _IN_SPACES
                if blank_ok or buf:
                    words.append("".join(buf))
                buf = []
                blank_ok = False
                pos += 1
                continue
            if ch in ("'", '"'):
                quote = ch
                blank_ok = True
                phase = _IN_QUOTE
            if ch == escape:
                if pos + 1 == size:
                    pos += 1
                    continue
                buf.append(ch)
                pos += 1
                ch = rest[pos]
            buf.append(_rune(ch))
            pos += 1
            continue
        # phase == _IN_QUOTE
        if ch == quote:
            phase = _IN_WORD
        if ch == escape and quote != "'":
            if pos + 1 == size:
                phase = _IN_WORD
                pos += 1
                continue
            buf.append(ch)
            pos += 1
            ch = rest[pos]
        buf.append(_rune(ch))
        pos += 1
    return words


def _parse_name_val(rest: str, key: str, escape: str) -> _Parsed:
    """ENV and LABEL: ``k v`` (legacy) or ``k=v ...``; values come in (key, value, sep)."""
    words = _parse_words(rest, escape)
    if not words:
        return (), False
    if "=" not in words[0]:
        parts = _go_split(rest, 2)
        if len(parts) < 2:
            raise BuildKitError(f"{key} must have two arguments")
        return (parts[0], parts[1], ""), False
    values: list[str] = []
    for word in words:
        if "=" not in word:
            raise BuildKitError(
                f"Syntax error - can't find = in {go_quote(word)}. Must be of the form: name=value"
            )
        name, _, value = word.partition("=")
        values += (name, value, "=")
    return tuple(values), False


def _parse_name_or_name_val(rest: str, escape: str) -> _Parsed:
    """ARG: the words as they are."""
    return tuple(_parse_words(rest, escape)), False


def _parse_strings_whitespace_delimited(rest: str) -> _Parsed:
    """FROM, EXPOSE and the shell form of ADD/COPY/VOLUME."""
    if not rest:
        return (), False
    return tuple(_go_split(rest, -1)), False


def _parse_string(rest: str) -> _Parsed:
    """MAINTAINER, STOPSIGNAL, USER, WORKDIR: the rest as one value."""
    if not rest:
        return (), False
    return (rest,), False


def _parse_json(rest: str) -> tuple[str, ...] | None:
    """BuildKit's ``parseJSON``: the strings of a JSON array, or None if not JSON."""
    rest = _trim_left_space(rest)
    if not rest.startswith("["):
        return None
    elements = _go_json_array(rest)
    if elements is None:
        return None
    values: list[str] = []
    for element in elements:
        if element is None:
            raise BuildKitError(_NOT_STRING_ARRAY)
        values.append(element)
    return tuple(values)


def _parse_maybe_json(rest: str) -> _Parsed:
    """CMD, ENTRYPOINT, RUN, SHELL: a JSON array, or the rest as one value."""
    if not rest:
        return (), False
    values = _parse_json(rest)
    if values is not None:
        return values, True
    return (rest,), False


def _parse_maybe_json_to_list(rest: str) -> _Parsed:
    """ADD, COPY, VOLUME: a JSON array, or whitespace-delimited values."""
    values = _parse_json(rest)
    if values is not None:
        return values, True
    return _parse_strings_whitespace_delimited(rest)


def _parse_health_config(rest: str) -> _Parsed:
    """HEALTHCHECK: the first word (split on byte-level spaces), then like CMD."""
    data = _to_bytes(rest)
    sep = 0
    while sep < len(data) and data[sep] not in _GO_SPACE_BYTES:
        sep += 1
    nxt = sep
    while nxt < len(data) and data[nxt] in _GO_SPACE_BYTES:
        nxt += 1
    if sep == 0:
        return (), False
    values, is_json = _parse_maybe_json(_from_bytes(data[nxt:]))
    return (_from_bytes(data[:sep]), *values), is_json


def _dispatch(name: str, rest: str, escape: str) -> _Parsed:
    """Run the line parser BuildKit's dispatch table has for ``name``."""
    if name in ("add", "copy", "volume"):
        return _parse_maybe_json_to_list(rest)
    if name in ("cmd", "entrypoint", "run", "shell"):
        return _parse_maybe_json(rest)
    if name in ("from", "expose"):
        return _parse_strings_whitespace_delimited(rest)
    if name in ("maintainer", "stopsignal", "user", "workdir"):
        return _parse_string(rest)
    if name == "env":
        return _parse_name_val(rest, "ENV", escape)
    if name == "label":
        return _parse_name_val(rest, "LABEL", escape)
    if name == "arg":
        return _parse_name_or_name_val(rest, escape)
    if name == "healthcheck":
        return _parse_health_config(rest)
    # parseIgnore: unknown instructions keep one empty value.
    return ("",), False


def parse_instruction(logical_line: str, escape: str = "\\") -> ParsedInstruction:
    """Parse one logical line the way BuildKit's ``newNodeFromLine`` does.

    ``escape`` is the file's escape token (``\\`` or a backtick).  Raises
    ``BuildKitError`` (and nothing else) for lines BuildKit rejects.
    """
    if escape not in ("\\", "`"):
        raise BuildKitError(f"invalid escape token '{escape}' does not match ` or \\")
    line = _canon(logical_line)
    # ONBUILD nests instructions; walk the chain without recursion.
    outer: list[tuple[str, tuple[str, ...]]] = []
    node: ParsedInstruction
    while True:
        cmd, flags, rest = _split_command(line, escape)
        name = _go_lower(cmd)
        if name == "onbuild":
            if rest:
                outer.append((cmd, flags))
                line = rest
                continue
            node = ParsedInstruction(cmd, flags, (), False, None)
        else:
            args, is_json = _dispatch(name, rest, escape)
            node = ParsedInstruction(cmd, flags, args, is_json, None)
        break
    for cmd, flags in reversed(outer):
        node = ParsedInstruction(cmd, flags, (), False, node)
    return node


# --------------------------------------------------------------------------------------
# Go's encoding/json, as far as parseJSON needs it
# --------------------------------------------------------------------------------------

_JSON_SPACE: Final = frozenset(" \t\n\r")
_JSON_MAX_DEPTH: Final = 10000
_JSON_SIMPLE_ESCAPES: Final = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_HEX: Final = frozenset("0123456789abcdefABCDEF")


class _JSONInvalid(Exception):
    """The text is not something Go's ``json.Unmarshal`` into ``[]any`` accepts."""


def _json_u4(text: str, pos: int) -> int:
    """The value of ``\\uXXXX`` at ``pos`` (pointing at the backslash), or -1."""
    digits = text[pos + 2 : pos + 6]
    if text[pos : pos + 2] != "\\u" or len(digits) != 4 or not set(digits) <= _HEX:
        return -1
    return int(digits, 16)


def _json_string(text: str, pos: int) -> tuple[str, int]:
    """Decode the JSON string starting at ``pos`` (its opening quote)."""
    size = len(text)
    out: list[str] = []
    pos += 1
    while True:
        if pos >= size:
            raise _JSONInvalid
        ch = text[pos]
        if ch == '"':
            return "".join(out), pos + 1
        if ch == "\\":
            if pos + 1 >= size:
                raise _JSONInvalid
            esc = text[pos + 1]
            if esc in _JSON_SIMPLE_ESCAPES:
                out.append(_JSON_SIMPLE_ESCAPES[esc])
                pos += 2
                continue
            if esc != "u":
                raise _JSONInvalid
            code = _json_u4(text, pos)
            if code < 0:
                raise _JSONInvalid
            pos += 6
            if 0xD800 <= code < 0xE000:
                low = _json_u4(text, pos)
                if 0xD800 <= code < 0xDC00 and 0xDC00 <= low < 0xE000:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    pos += 6
                else:
                    code = 0xFFFD
            out.append(chr(code))
            continue
        if ord(ch) < 0x20:
            raise _JSONInvalid
        out.append(_rune(ch))
        pos += 1


def _json_digits(text: str, pos: int) -> int:
    """Skip ASCII digits from ``pos``."""
    size = len(text)
    while pos < size and "0" <= text[pos] <= "9":
        pos += 1
    return pos


def _json_number(text: str, pos: int) -> int:
    """Skip the JSON number at ``pos``; a float64 overflow is an error, as in Go."""
    size = len(text)
    start = pos
    if pos < size and text[pos] == "-":
        pos += 1
    if pos < size and text[pos] == "0":
        pos += 1
    elif pos < size and "1" <= text[pos] <= "9":
        pos = _json_digits(text, pos)
    else:
        raise _JSONInvalid
    if pos < size and text[pos] == ".":
        end = _json_digits(text, pos + 1)
        if end == pos + 1:
            raise _JSONInvalid
        pos = end
    if pos < size and text[pos] in "eE":
        pos += 1
        if pos < size and text[pos] in "+-":
            pos += 1
        end = _json_digits(text, pos)
        if end == pos:
            raise _JSONInvalid
        pos = end
    if math.isinf(float(text[start:pos])):
        raise _JSONInvalid  # strconv.ParseFloat: value out of range
    return pos


def _go_json_array(text: str) -> list[str | None] | None:
    """Go's ``json.Unmarshal(text, &[]any{})`` for a text starting with ``[``.

    Returns None where Unmarshal fails, else the top-level elements: the decoded
    string, or None for an element that is not a string.  Iterative, so any depth
    is fine (Go itself stops at 10000).
    """
    try:
        return _JSONArrayReader(text).read()
    except _JSONInvalid:
        return None


class _JSONArrayReader:
    """A non-recursive reader of one JSON value (an array), Go's rules."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)

    def skip(self, pos: int) -> int:
        while pos < self.size and self.text[pos] in _JSON_SPACE:
            pos += 1
        return pos

    def at(self, pos: int) -> str:
        if pos >= self.size:
            raise _JSONInvalid
        return self.text[pos]

    def member(self, pos: int) -> int:
        """Skip ``"key" :`` at ``pos``; return where the member's value starts."""
        if self.at(pos) != '"':
            raise _JSONInvalid
        _, pos = _json_string(self.text, pos)
        pos = self.skip(pos)
        if self.at(pos) != ":":
            raise _JSONInvalid
        return self.skip(pos + 1)

    def read(self) -> list[str | None]:
        text = self.text
        stack: list[str] = []  # the open "[" and "{"
        elements: list[str | None] = []
        pos = self.skip(0)
        while True:
            # A value starts at pos.
            ch = self.at(pos)
            value: str | None = None
            if ch in "[{":
                stack.append(ch)
                if len(stack) > _JSON_MAX_DEPTH:
                    raise _JSONInvalid
                pos = self.skip(pos + 1)
                if self.at(pos) != ("]" if ch == "[" else "}"):
                    if ch == "{":
                        pos = self.member(pos)
                    continue
                stack.pop()
                pos += 1
            elif ch == '"':
                value, pos = _json_string(text, pos)
            elif ch == "-" or "0" <= ch <= "9":
                pos = _json_number(text, pos)
            else:
                for literal in ("true", "false", "null"):
                    if text.startswith(literal, pos):
                        pos += len(literal)
                        break
                else:
                    raise _JSONInvalid
            # A value ended at pos: record it, close the containers it completes.
            while True:
                if len(stack) == 1:
                    elements.append(value)
                if not stack:
                    if self.skip(pos) != self.size:
                        raise _JSONInvalid  # text after the top-level value
                    return elements
                pos = self.skip(pos)
                ch = self.at(pos)
                if ch == ",":
                    pos = self.skip(pos + 1)
                    if stack[-1] == "{":
                        pos = self.member(pos)
                    break
                if ch != ("]" if stack[-1] == "[" else "}"):
                    raise _JSONInvalid
                stack.pop()
                pos += 1
                value = None


# --------------------------------------------------------------------------------------
# The shell lexer's word splitting (frontend/dockerfile/shell/lex.go), as heredoc
# detection uses it: no environment, SkipUnsetEnv, optional RawQuotes/RawEscapes.
# --------------------------------------------------------------------------------------


class _ShellError(Exception):
    """An error of the shell lexer (message as Go words it)."""


if TYPE_CHECKING:
    # A lexer routine: a generator that yields sub-routines to run and receives their
    # results; a small driver runs them on an explicit stack, so nesting depth is free.
    _Routine = Generator[Any, Any, Any]

_HEREDOC_SPACE: Final = frozenset(" \t\r")
_SPECIAL_PARAMS: Final = frozenset("@*#?-$!0")


def _rune_text(ch: str | None) -> str:
    """Go's ``string(ch)``; EOF (-1) is not a valid rune and gives U+FFFD."""
    return _REPLACEMENT if ch is None else ch


class _Words:
    """The lexer's ``wordsStruct``."""

    def __init__(self) -> None:
        self.word: list[str] = []
        self.size = 0  # len(word) in characters; a raw string may be empty
        self.words: list[str] = []
        self.in_word = False

    def _flush(self) -> None:
        self.words.append("".join(self.word))
        self.word = []
        self.size = 0
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in _GO_SPACE_SET:
            if self.in_word and self.size:
                self._flush()
        else:
            self.add_raw_char(ch)

    def add_raw_char(self, ch: str) -> None:
        self.word.append(ch)
        self.size += 1
        self.in_word = True

    def add_string(self, text: str) -> None:
        for ch in text:
            self.add_char(ch)

    def add_raw_string(self, text: str) -> None:
        self.word.append(text)
        self.size += len(text)
        self.in_word = True

    def get(self) -> list[str]:
        if self.size:
            self._flush()
        return self.words


class _ShellLexer:
    """``shell.NewLex('\\\\')`` with ``SkipUnsetEnv`` and an empty environment."""

    escape = "\\"

    def __init__(self, source: str, *, raw_quotes: bool, raw_escapes: bool) -> None:
        # text/scanner: runes (invalid bytes read as U+FFFD), a leading BOM skipped.
        text = _runes(source)
        if text.startswith("\ufeff"):
            text = text[1:]
        self.source = source
        self.text = text
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def next(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def words(self) -> list[str]:
        """``ProcessWords``; raises ``_ShellError`` with Go's wrapped message."""
        try:
            _, words = _run(self.stop_on(None, self.raw_escapes))
        except _ShellError as exc:
            raise _ShellError(f"failed to process {go_quote(self.source)}: {exc}") from None
        return list(words)

    def stop_on(self, stop: str | None, raw_escapes: bool) -> _Routine:
        result: list[str] = []
        words = _Words()
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            while (ch := self.peek()) is not None:
                if stop is not None and ch == stop:
                    self.next()
                    return "".join(result), words.get()
                if ch == "$":
                    tmp = yield self.dollar()
                    result.append(tmp)
                    words.add_string(tmp)
                    continue
                if ch == "<":
                    tmp = self.possible_heredoc()
                    result.append(tmp)
                    words.add_raw_string(tmp)
                    continue
                if ch == "'":
                    tmp = self.single_quote()
                    result.append(tmp)
                    words.add_raw_string(tmp)
                    continue
                if ch == '"':
                    tmp = yield self.double_quote()
                    result.append(tmp)
                    words.add_raw_string(tmp)
                    continue
                self.next()
                if ch == self.escape:
                    if self.raw_escapes:
                        words.add_raw_char(ch)
                        result.append(ch)
                    escaped = self.next()
                    if escaped is None:
                        break
                    ch = escaped
                    words.add_raw_char(ch)
                else:
                    words.add_char(ch)
                result.append(ch)
            if stop is not None:
                raise _ShellError(f"unexpected end of statement while looking for matching {stop}")
            return "".join(result), words.get()
        finally:
            self.raw_escapes = saved

    def single_quote(self) -> str:
        result: list[str] = []
        opening = self.next()
        if self.raw_quotes and opening is not None:
            result.append(opening)
        while True:
            ch = self.next()
            if ch is None:
                raise _ShellError(
                    "unexpected end of statement while looking for matching single-quote"
                )
            if ch == "'":
                if self.raw_quotes:
                    result.append(ch)
                return "".join(result)
            result.append(ch)

    def double_quote(self) -> _Routine:
        result: list[str] = []
        opening = self.next()
        if self.raw_quotes and opening is not None:
            result.append(opening)
        while True:
            ch = self.peek()
            if ch is None:
                raise _ShellError(
                    "unexpected end of statement while looking for matching double-quote"
                )
            if ch == '"':
                self.next()
                if self.raw_quotes:
                    result.append(ch)
                return "".join(result)
            if ch == "$":
                result.append((yield self.dollar()))
                continue
            self.next()
            if ch == self.escape:
                if self.raw_escapes:
                    result.append(ch)
                following = self.peek()
                if following is None:
                    continue
                if following in ('"', "$", self.escape):
                    self.next()
                    ch = following
            result.append(ch)

    def dollar(self) -> _Routine:
        self.next()
        if self.peek() != "{":
            name = self.name()
            return "$" + name if name else "$"
        self.next()
        ch = self.peek()
        if ch is None:
            raise _ShellError("syntax error: missing '}'")
        if ch in "{}:":
            raise _ShellError("syntax error: bad substitution")
        name = self.name()
        ch = self.next()
        modifier = _rune_text(ch)
        if ch == "}":
            return "${" + name + "}"
        if ch == ":":
            ch = self.next()
            modifier += _rune_text(ch)
            # Go falls through to the +-?#% branch whatever follows the colon.
        elif ch == "/":
            if self.peek() == "/":
                self.next()
            try:
                pattern, _ = yield self.stop_on("/", True)
            except _ShellError:
                if self.peek() is None:
                    raise _ShellError("syntax error: missing '/' in ${}") from None
                raise
            try:
                replacement, _ = yield self.stop_on("}", True)
            except _ShellError:
                if self.peek() is None:
                    raise _ShellError("syntax error: missing '}'") from None
                raise
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        elif ch not in ("+", "-", "?", "#", "%"):
            raise _ShellError(f"unsupported modifier ({modifier}) in substitution")
        try:
            word, _ = yield self.stop_on("}", ch in ("#", "%"))
        except _ShellError:
            if self.peek() is None:
                raise _ShellError("syntax error: missing '}'") from None
            raise
        return "${" + name + modifier + word + "}"

    def name(self) -> str:
        name: list[str] = []
        while (ch := self.peek()) is not None:
            if not name and ch.isdecimal():
                while (digit := self.peek()) is not None and digit.isdecimal():
                    self.next()
                    name.append(digit)
                return "".join(name)
            if not name and ch in _SPECIAL_PARAMS:
                self.next()
                return ch
            if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
                break
            self.next()
            name.append(ch)
        return "".join(name)

    def possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        # "<<" and an optional "-", then the white space that may come before the
        # heredoc word, all stay in the current word (so "<<- EOF" is one word).
        marker = ["<<"]
        if self.peek() == "-":
            self.next()
            marker.append("-")
        while (ch := self.peek()) is not None and ch in _HEREDOC_SPACE:
            marker.append(ch)
            self.next()
        return "".join(marker)


def _run(routine: _Routine) -> Any:
    """Run a lexer routine and the sub-routines it yields, without recursion."""
    stack = [routine]
    value: Any = None
    error: _ShellError | None = None
    while stack:
        current = stack[-1]
        try:
            if error is not None:
                pending, error = error, None
                request = current.throw(pending)
            else:
                request = current.send(value)
        except StopIteration as stop:
            stack.pop()
            value = stop.value
            continue
        except _ShellError as exc:
            stack.pop()
            if not stack:
                raise
            error = exc
            continue
        stack.append(request)
        value = None
    return value


def _lex_words(source: str, *, raw_quotes: bool, raw_escapes: bool) -> list[str]:
    return _ShellLexer(source, raw_quotes=raw_quotes, raw_escapes=raw_escapes).words()


# --------------------------------------------------------------------------------------
# Heredocs
# --------------------------------------------------------------------------------------


def _parse_heredoc(word: str) -> Heredoc | None:
    """BuildKit's ``ParseHeredoc``: the heredoc a ``<<WORD`` shell word stands for."""
    match = _re_heredoc().match(word)
    if match is None:
        return None
    digits, dash, rest = match.groups()
    significant = digits.lstrip("0")  # never int() of 60,000 digits (Python refuses > 4,300)
    if len(significant) > 20:  # more than 2**64 - 1 has
        fd = _MAX_UINT64
    else:
        fd = min(int(significant), _MAX_UINT64) if significant else 0
    if not rest:
        return None
    try:
        words = _lex_words(rest, raw_quotes=False, raw_escapes=False)
        if len(words) != 1:
            return None
        words_raw = _lex_words(rest, raw_quotes=True, raw_escapes=False)
    except _ShellError as exc:
        raise BuildKitError(str(exc)) from None
    if len(words_raw) != len(words):
        raise BuildKitError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    word, word_raw = words[0], words_raw[0]
    quotes = word.count("'") + word.count('"')
    quotes_raw = word_raw.count("'") + word_raw.count('"')
    return Heredoc(name=word, file_descriptor=fd, expand=quotes == quotes_raw, chomp=dash == "-")


def heredocs_from_line(logical_line: str) -> list[Heredoc]:
    """BuildKit's ``heredocsFromLine``: the heredocs an instruction's line opens, in order.

    Raises ``BuildKitError`` for a heredoc word BuildKit cannot lex (e.g. ``<<'EOF``).
    """
    line = _canon(logical_line)
    try:
        words = _lex_words(line, raw_quotes=True, raw_escapes=True)
    except _ShellError:
        words = []  # BuildKit ignores this error: no heredocs.
    docs: list[Heredoc] = []
    for word in words:
        heredoc = _parse_heredoc(word)
        if heredoc is not None:
            docs.append(heredoc)
    return docs


def can_contain_heredoc(node: ParsedInstruction) -> bool:
    """Whether heredoc bodies follow this instruction: RUN/COPY/ADD in shell form.

    ONBUILD is judged by its nested instruction.
    """
    if node.name == "onbuild" and node.sub is not None:
        node = node.sub
    return node.name in ("add", "copy", "run") and not node.json


# --------------------------------------------------------------------------------------
# Dump and directives
# --------------------------------------------------------------------------------------


def _dump_head(node: ParsedInstruction) -> str:
    text = _go_lower(node.cmd)
    if node.flags:
        text += " [" + " ".join(go_quote(flag) for flag in node.flags) + "]"
    for arg in node.args:
        text += " " + go_quote(arg)
    return text


def dump(node: ParsedInstruction) -> str:
    """BuildKit's ``Node.Dump()`` of one instruction, without the outer parentheses.

    A whole file's dump is ``"\\n".join("(" + dump(n) + ")" for n in nodes) + "\\n"``.
    """
    chain: list[ParsedInstruction] = []
    current: ParsedInstruction | None = node
    while current is not None:
        chain.append(current)
        current = current.sub
    text = _trim_space(_dump_head(chain[-1]))
    for outer in reversed(chain[:-1]):
        text = _trim_space(_dump_head(outer) + " (" + text + ")")
    return text


def parse_directive(line: str) -> tuple[str, str] | None:
    """A parser directive on ``line``: (lower-cased name, value), or None.

    Follows BuildKit's ``DirectiveParser``: the line (trailing CR/LF and leading
    white space removed, as BuildKit does before asking) must start with ``#``;
    after white space, ``^([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$`` must match and
    the name must be ``syntax``, ``escape`` or ``check``.
    """
    token = _trim_left_space(_canon(line).rstrip("\r\n"))
    if not token.startswith("#"):
        return None
    text = _trim_left_space(token[1:])
    head = _re_directive_head().match(text)
    if head is None:
        return None
    value = _directive_value(text[head.end() :], head.group(2))
    if value is None:
        return None
    name = head.group(1).lower()
    if name not in _VALID_DIRECTIVES:
        return None
    return name, value


def _directive_value(rest: str, spaces: str) -> str | None:
    r"""Group 2 of ``NAME\s*=\s*(.+?)\s*\Z`` given what follows ``NAME\s*=\s*``.

    ``rest`` starts with a non-space (or is empty); ``spaces`` are the white space the
    head took after ``=``. ``.`` matches anything but ``\n``. The lazy value is
    ``rest`` without its trailing white space, and fails if that holds a ``\n``; when
    ``rest`` is empty the engine gives back the last space that is not ``\n``.
    """
    value = rest.rstrip(_GO_RE_SPACE)
    if value:
        return None if "\n" in value else value
    for char in reversed(spaces):
        if char != "\n":
            return char
    return None
