"""Parse Dockerfile text into the CST: pre-pass lexer, then the LALR grammar.

The Lark parser is built once per process from ``dockerfile.lark`` and its
analysis is cached in the user cache directory, keyed by the dockerfix and
lark versions and the grammar's hash; a missing or read-only cache directory
only costs the build time. ``lark`` itself is imported on first use.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import deque
from importlib import resources
from typing import TYPE_CHECKING, Any

from dockerfix import cst
from dockerfix.errors import ParseError
from dockerfix.grammar import buildkit
from dockerfix.grammar.lexer import scan

if TYPE_CHECKING:
    from lark import Lark

_LOCK = threading.Lock()
_PARSER: Lark | None = None
_STATE = threading.local()


def grammar_text() -> str:
    """The grammar file's text."""
    return resources.files("dockerfix.grammar").joinpath("dockerfile.lark").read_text("utf-8")


def _cache_path(grammar: str) -> str | None:
    try:
        import lark
        from platformdirs import user_cache_dir

        from dockerfix import __version__
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    key = hashlib.sha256(f"{grammar}{lark.__version__}{__version__}".encode()).hexdigest()[:16]
    directory = os.environ.get("DOCKERFIX_CACHE_DIR") or user_cache_dir("dockerfix")
    return os.path.join(directory, __version__, f"grammar-{key}.lark.cache")


def _build() -> Lark:
    import logging

    from lark import Lark

    from dockerfix.grammar.lark_lexer import PrepassLexer

    grammar = grammar_text()
    cache = _cache_path(grammar)
    if cache is not None:
        try:
            os.makedirs(os.path.dirname(cache), exist_ok=True)
        except OSError:
            cache = None
    # lark logs a failed cache write at ERROR level; a read-only cache is not an error here.
    logging.getLogger("lark").setLevel(logging.CRITICAL)
    return Lark(
        grammar,
        parser="lalr",
        lexer=PrepassLexer,
        transformer=_ToCST(),
        cache=cache if cache is not None else False,
        maybe_placeholders=False,
    )


def _get_parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        with _LOCK:
            if _PARSER is None:
                _PARSER = _build()
    return _PARSER


class _ToCST:
    """Lark callbacks (applied during the LALR parse) that build CST nodes."""

    def start(self, children: list[Any]) -> cst.Dockerfile:
        bom = bool(children) and getattr(children[0], "type", None) == "BOM"
        body = tuple(children[1:] if bom else children)
        return cst.Dockerfile(body=body, bom=bom)

    def directive(self, children: list[Any]) -> cst.Directive:
        text, newline = str(children[0]), str(children[1])
        found = buildkit.parse_directive(text.lstrip(" \t\ufeff"))
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


def parse(text: str) -> cst.Dockerfile:
    """Parse Dockerfile ``text`` into a lossless tree; raise ``ParseError`` if BuildKit would."""
    if not isinstance(text, str):
        raise TypeError("parse() takes str")
    scanned = scan(text)
    if not scanned.tokens:
        return cst.Dockerfile(body=(), bom=False)
    parser = _get_parser()
    _STATE.escape = scanned.escape
    _STATE.parsed = deque(scanned.parsed)
    from lark.exceptions import LarkError

    try:
        tree: cst.Dockerfile = parser.parse(scanned)  # type: ignore[assignment]
    except LarkError as exc:  # pragma: no cover - the pre-pass only emits valid sequences
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
