"""The pre-pass lexer: a Dockerfile's physical lines as grammar tokens.

This is where the context-sensitive parts of the language are decided, the
way BuildKit's ``parser.Parse`` loop decides them: the BOM, parser directives
(only before anything else), the escape character they set, comment and empty
lines inside a continued instruction, and heredoc bodies after the line that
names them. Every byte of the input ends up in exactly one token.
"""

from __future__ import annotations

from dockerfix.errors import ParseError
from dockerfix.grammar import buildkit

# Go's unicode.IsSpace: what BuildKit trims from the left of a line.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)

# bufio.Scanner's limit: a line (without its newline) may hold 65535 bytes.
MAX_LINE_BYTES = 65535


class Scan:
    """The result of the pre-pass: the token stream plus what was computed on the way."""

    __slots__ = ("escape", "parsed", "tokens")

    def __init__(
        self,
        tokens: list[tuple[str, str]] | None = None,
        parsed: list[buildkit.ParsedInstruction] | None = None,
        escape: str = "\\",
    ) -> None:
        self.tokens: list[tuple[str, str]] = [] if tokens is None else tokens
        self.parsed: list[buildkit.ParsedInstruction] = [] if parsed is None else parsed
        self.escape = escape


def _physical_lines(text: str) -> list[tuple[str, str]]:
    """Split on LF only (as Go's scanner does) into (content, line ending) pairs.

    The line ending keeps the carriage returns BuildKit trims before the LF.
    """
    parts = text.split("\n")
    last = parts.pop()
    lines: list[tuple[str, str]] = []
    for part in parts:
        content = part.rstrip("\r")
        lines.append((content, part[len(content) :] + "\n"))
    if last:
        content = last.rstrip("\r")
        lines.append((content, last[len(content) :]))
    return lines


def _check_line_lengths(lines: list[tuple[str, str]]) -> None:
    for number, (content, ending) in enumerate(lines, 1):
        if len(content) * 4 <= MAX_LINE_BYTES:
            continue  # cannot be too long even if every character takes four bytes
        size = len(content.encode("utf-8", "surrogatepass")) + len(ending.rstrip("\n"))
        if size > MAX_LINE_BYTES:
            raise ParseError(
                f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}", number
            )


def continuation_at(line: str, escape: str) -> int:
    """Index of the line-continuation character in ``line``, or -1.

    BuildKit's rule: the escape character followed only by spaces and tabs,
    and not itself escaped by another escape character just before it.
    """
    stripped = line.rstrip(" \t")
    if not stripped.endswith(escape):
        return -1
    k = len(stripped) - 1
    if k > 0 and stripped[k - 1] == escape:
        return -1
    return k


def _is_comment(content: str) -> bool:
    return content.lstrip(GO_SPACE).startswith("#")


def scan(text: str) -> Scan:
    """Tokenize ``text``; raise ``ParseError`` where BuildKit would reject it."""
    result = Scan()
    tokens = result.tokens
    emit = tokens.append
    if text.startswith("\ufeff"):
        emit(("BOM", "\ufeff"))
        text = text[1:]
    lines = _physical_lines(text)
    _check_line_lengths(lines)

    escape = "\\"
    directives_done = False
    seen: set[str] = set()
    i = 0
    n = len(lines)
    while i < n:
        content, ending = lines[i]
        start_line = i + 1
        i += 1
        stripped = content.lstrip(GO_SPACE)

        if not directives_done:
            directive = buildkit.parse_directive(stripped)
            if directive is None:
                directives_done = True
            else:
                name, value = directive
                if name in seen:
                    raise ParseError(f"only one {name} parser directive can be used", start_line)
                seen.add(name)
                if name == "escape":
                    if value not in ("\\", "`"):
                        raise ParseError(
                            f"invalid escape token '{value}' does not match ` or \\", start_line
                        )
                    escape = value
                    result.escape = value
                emit(("DIRECTIVE", content))
                emit(("NEWLINE", ending))
                continue

        if stripped.startswith("#"):
            emit(("COMMENT", content))
            emit(("NEWLINE", ending))
            continue
        k = continuation_at(stripped, escape)
        if k < 0 and not stripped:
            emit(("SPACE", content))
            emit(("NEWLINE", ending))
            continue

        # An instruction: its first line, then continuation lines.
        indent = content[: len(content) - len(stripped)]
        emit(("INDENT", indent))
        logical: list[str] = []
        piece = stripped if k < 0 else stripped[:k]
        if piece:
            emit(("TEXT", piece))
            logical.append(piece)
        continued = k >= 0
        if continued:
            emit(("ESCAPE", stripped[k:]))
        emit(("NEWLINE", ending))
        while continued and i < n:
            content, ending = lines[i]
            i += 1
            if _is_comment(content) or not content.strip(GO_SPACE):
                emit(("SWALLOWED", content))
                emit(("NEWLINE", ending))
                continue
            k = continuation_at(content, escape)
            piece = content if k < 0 else content[:k]
            if piece:
                emit(("TEXT", piece))
                logical.append(piece)
            if k < 0:
                continued = False
            else:
                emit(("ESCAPE", content[k:]))
            emit(("NEWLINE", ending))
        if continued:  # the file ended inside a continuation
            emit(("NEWLINE", ""))
        end_line = i
        line = "".join(logical)
        try:
            parsed = buildkit.parse_instruction(line, escape)
            heredocs = (
                buildkit.heredocs_from_line(line)
                if "<<" in line and buildkit.can_contain_heredoc(parsed)
                else []
            )
        except buildkit.BuildKitError as exc:
            raise ParseError(exc.message, start_line, len(indent) + 1, end_line) from None
        result.parsed.append(parsed)

        for heredoc in heredocs:
            terminated = False
            while i < n:
                content, ending = lines[i]
                i += 1
                candidate = content.lstrip("\t") if heredoc.chomp else content
                if candidate == heredoc.name:
                    emit(("HEREDOC_END", content))
                    emit(("NEWLINE", ending))
                    terminated = True
                    break
                emit(("HEREDOC_LINE", content + ending))
            if not terminated:
                raise ParseError("unterminated heredoc", start_line, len(indent) + 1, i)
    return result
