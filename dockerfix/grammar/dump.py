"""BuildKit's ``AST.Dump()`` of a parsed Dockerfile (the format of its ``testfiles/*/result``)."""

from __future__ import annotations

from dockerfix import cst
from dockerfix.errors import ParseError
from dockerfix.grammar import buildkit


def dump(tree: cst.Dockerfile) -> str:
    """The dump text, one ``(instruction ...)`` line each, ending with a newline.

    Raises ``ParseError`` for a file without instructions, as BuildKit does.
    """
    instructions = tree.instructions
    if not instructions:
        lines = tree.code.count("\n") + (0 if tree.code.endswith("\n") or not tree.code else 1)
        raise ParseError("file with no instructions", max(lines, 1))
    return "".join("(" + buildkit.dump(ins.parsed) + ")\n" for ins in instructions)


def warnings(tree: cst.Dockerfile) -> list[str]:
    """BuildKit's parse warnings: instructions with empty continuation lines."""
    found: list[str] = []
    for ins in tree.instructions:
        empty = any(
            not line.is_comment
            for piece in ins.pieces
            if isinstance(piece, cst.Continuation)
            for line in piece.swallowed
        )
        if empty:
            found.append("[WARNING]: Empty continuation line found in:\n    " + ins.logical)
    return found
