"""Small, exact edits inside one instruction, on top of ``Instruction.replace_span``.

Offsets are into the instruction's logical line (``Instruction.logical``). Continuations,
comment lines inside continuations and every byte outside the edited span are kept; removing
a word that stood alone on a continued line removes that physical line with it, so no empty
continuation line (which BuildKit warns about) is left behind.
"""

from __future__ import annotations

from dockerfix import cst
from dockerfix.grammar.buildkit import _split_command

__all__ = ["arguments_span", "insert", "remove_word", "shell_offset"]

_BLANK = " \t"


def arguments_span(ins: cst.Instruction) -> tuple[int, int]:
    """Where the arguments begin and end in the logical line (after keyword and flags)."""
    stripped = ins.logical.rstrip()
    try:
        _, _, rest = _split_command(ins.logical, ins.escape)
    except Exception:  # pragma: no cover - the instruction parsed once already
        rest = ""
    if rest and stripped.endswith(rest):
        return len(stripped) - len(rest), len(stripped)
    return len(stripped), len(stripped)


def shell_offset(ins: cst.Instruction) -> int | None:
    """Where the shell text of a shell-form ``RUN``/``CMD``/``ENTRYPOINT`` starts, or None."""
    span = ins.shell_text_span
    return span[0] if span is not None else None


def insert(ins: cst.Instruction, pos: int, text: str) -> cst.Instruction:
    """A copy with ``text`` inserted at logical offset ``pos``."""
    return ins.replace_span(pos, pos, text)


def _piece_bounds(ins: cst.Instruction) -> list[tuple[int, int, int]]:
    """``(start, end, index in pieces)`` of every text piece, in logical-line offsets."""
    out: list[tuple[int, int, int]] = []
    pos = 0
    for k, piece in enumerate(ins.pieces):
        if isinstance(piece, str):
            out.append((pos, pos + len(piece), k))
            pos += len(piece)
    return out


def remove_word(ins: cst.Instruction, start: int, end: int) -> cst.Instruction | None:
    """A copy without the word at ``logical[start:end]`` and one side of its blanks.

    Returns None when the word spans several physical lines, or stands alone on the last line
    of a continued instruction whose continuation carries comment lines (no clean edit).
    """
    bounds = _piece_bounds(ins)
    home = next((b for b in bounds if b[0] <= start and end <= b[1]), None)
    if home is None:
        return None
    p_start, _, k = home
    piece = ins.pieces[k]
    assert isinstance(piece, str)
    a, b = start - p_start, end - p_start
    before, after = piece[:a], piece[b:]
    if not before.strip(_BLANK) and not after.strip(_BLANK) and k > 0:
        return _drop_line(ins, k)
    lead = len(before) - len(before.rstrip(_BLANK))
    trail = len(after) - len(after.lstrip(_BLANK))
    if lead and before.strip(_BLANK):
        return ins.replace_span(start - lead, end, "")
    if trail and after.strip(_BLANK):
        return ins.replace_span(start, end + trail, "")
    if lead:
        return ins.replace_span(start - lead, end, "")
    return ins.replace_span(start, end + trail, "")


def _drop_line(ins: cst.Instruction, k: int) -> cst.Instruction | None:
    """Remove the physical line that is ``pieces[k]`` (which is not the first line)."""
    pieces = list(ins.pieces)
    prev = pieces[k - 1]
    assert isinstance(prev, cst.Continuation)
    nxt = pieces[k + 1] if k + 1 < len(pieces) else None
    if isinstance(nxt, cst.Continuation):
        merged = prev.with_changes(swallowed=prev.swallowed + nxt.swallowed)
        new = [*pieces[: k - 1], merged, *pieces[k + 2 :]]
    else:
        # The last line: the previous line now ends the instruction.
        if prev.swallowed:
            return None
        head = pieces[k - 2] if k >= 2 else None
        new = pieces[: k - 1]
        if isinstance(head, str):
            new[-1] = head.rstrip(_BLANK)
    return ins.with_pieces(new)
