"""The bridge from the pre-pass (``lexer.scan``) to Lark's LALR parser.

Kept in its own module because Lark pickles a reference to the lexer class
into its grammar cache; importing this module imports lark.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lark import Token
from lark.lexer import Lexer

from dockerfix.grammar.lexer import Scan


class PrepassLexer(Lexer):
    """Feeds the tokens of a ``Scan`` (passed to ``Lark.parse`` as its input) to the parser."""

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, scanned: Scan) -> Iterator[Token]:  # type: ignore[override]
        for kind, value in scanned.tokens:
            yield Token(kind, value)
