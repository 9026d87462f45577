"""Parse Dockerfile text into the CST: the pre-pass lexer, then the LALR grammar.

The tables of ``dockerfile.lark`` come from ``lalr.load_tables`` (built by Lark,
cached in the user cache directory); callbacks below build the CST nodes as
the rules reduce.
"""

from __future__ import annotations

import _thread
from collections import deque

from dockerfix import cst
from dockerfix.errors import ParseError
from dockerfix.grammar import buildkit, lalr
from dockerfix.grammar.lexer import GO_SPACE, scan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# ``_thread`` (built in) rather than ``threading`` (~1 ms of imports on every editor save):
# ``threading.Lock`` and ``threading.local`` are these two.
_LOCK = _thread.allocate_lock()
_TABLES: lalr.Tables | None = None
_STATE = _thread._local()


def _tables() -> lalr.Tables:
    global _TABLES
    if _TABLES is None:
        with _LOCK:
            if _TABLES is None:
                _TABLES = lalr.load_tables()
    return _TABLES


class _ToCST:
    """The grammar's rule callbacks: each builds the CST node of its rule."""

    def start(self, children: list[Any]) -> cst.Dockerfile:
        bom = bool(children) and isinstance(children[0], str)  # the only token child
        body = tuple(children[1:] if bom else children)
        return cst.Dockerfile(body=body, bom=bom)

    def directive(self, children: list[Any]) -> cst.Directive:
        text, newline = str(children[0]), str(children[1])
        found = buildkit.parse_directive(text.lstrip(GO_SPACE))
        name, value = found if found is not None else ("", "")
        return cst.Directive(text=text, newline=newline, name=name, value=value)

    def comment(self, children: list[Any]) -> cst.Comment:
        return cst.Comment(text=str(children[0]), newline=str(children[1]))

    def blank(self, children: list[Any]) -> cst.BlankLine:
        return cst.BlankLine(text=str(children[0]), newline=str(children[1]))

    def swallowed(self, children: list[Any]) -> cst.SwallowedLine:
        return cst.SwallowedLine(text=str(children[0]), newline=str(children[1]))

    def continuation(self, children: list[Any]) -> cst.Continuation:
        marker = str(children[0])
        return cst.Continuation(
            escape=marker[0],
            trailing=marker[1:],
            newline=str(children[1]),
            swallowed=tuple(children[2:]),
        )

    def heredoc(self, children: list[Any]) -> cst.HeredocBody:
        return cst.HeredocBody(
            lines=tuple(str(c) for c in children[:-2]),
            terminator=str(children[-2]),
            newline=str(children[-1]),
        )

    def instruction(self, children: list[Any]) -> cst.Instruction:
        state = _STATE
        # children: INDENT, pieces..., NEWLINE, heredoc bodies...
        end = len(children)
        while isinstance(children[end - 1], cst.HeredocBody):
            end -= 1
        pieces = tuple(
            c if isinstance(c, cst.Continuation) else str(c) for c in children[1 : end - 1]
        )
        node = cst.Instruction(
            indent=str(children[0]),
            pieces=pieces,
            newline=str(children[end - 1]),
            heredoc_bodies=tuple(children[end:]),
            escape=state.escape,
        )
        # computed by the pre-pass already: store it in the cached property
        node.__dict__["parsed"] = state.parsed.popleft()
        return node


_BUILDER = _ToCST()
_CALLBACKS = {
    name: getattr(_BUILDER, name)
    for name in (
        "start",
        "directive",
        "comment",
        "blank",
        "swallowed",
        "continuation",
        "heredoc",
        "instruction",
    )
}


def parse(text: str) -> cst.Dockerfile:
    """Parse Dockerfile ``text`` into a lossless tree; raise ``ParseError`` if BuildKit would."""
    if not isinstance(text, str):
        raise TypeError("parse() takes str")
    scanned = scan(text)
    if not scanned.tokens:
        return cst.Dockerfile(body=(), bom=False)
    _STATE.escape = scanned.escape
    _STATE.parsed = deque(scanned.parsed)
    try:
        tree: cst.Dockerfile = lalr.parse(_tables(), scanned.tokens, _CALLBACKS)
    except lalr.LalrError as exc:  # pragma: no cover - the pre-pass only emits valid sequences
        raise ParseError(f"internal parser error: {exc}", 1) from None
    finally:
        _STATE.parsed = deque()
    return tree


def parse_instruction(text: str, *, escape: str = "\\", newline: str = "\n") -> cst.Instruction:
    """Parse one instruction (possibly with heredoc bodies) for insertion into a tree.

    ``text`` is written with ``\\n`` line breaks and the given escape
    character; they are turned into ``newline`` so that the new node prints
    in its file's style.
    """
    source = text if text.endswith("\n") else text + "\n"
    if escape != "\\":
        source = f"# escape={escape}\n" + source
    source = source.replace("\n", newline)
    tree = parse(source)
    nodes = [n for n in tree.body if isinstance(n, cst.Instruction)]
    if len(nodes) != 1 or len(tree.body) != (2 if escape != "\\" else 1):
        raise ValueError(f"not exactly one instruction: {text!r}")
    return nodes[0]
