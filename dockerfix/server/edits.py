"""Text in, minimal LSP edits out; LSP positions (UTF-16 code units) from text offsets."""

from __future__ import annotations

import difflib

from lsprotocol import types


def utf16_column(line: str, index: int) -> int:
    """The UTF-16 column of the character ``index`` of ``line``."""
    return len(line[:index].encode("utf-16-le")) // 2


def text_edits(old: str, new: str) -> list[types.TextEdit]:
    """The smallest whole-line edits that turn ``old`` into ``new`` (cursor and undo stay)."""
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    edits: list[types.TextEdit] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = types.Position(line=i1, character=0)
        end = types.Position(line=i2, character=0)
        if i2 == len(a) and a and not a[-1].endswith(("\n", "\r")):
            # the old text has no final newline: end at the end of its last line
            end = types.Position(line=len(a) - 1, character=utf16_column(a[-1], len(a[-1])))
        edits.append(
            types.TextEdit(range=types.Range(start=start, end=end), new_text="".join(b[j1:j2]))
        )
    return edits
