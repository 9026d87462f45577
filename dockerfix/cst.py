"""The concrete syntax tree of a Dockerfile.

Every byte of the input belongs to exactly one node, so ``Dockerfile.code``
gives the input back. Nodes are immutable; an edit builds a new tree that
shares the untouched nodes with the old one (``Dockerfile.replace``,
``insert_before``, ``insert_after``, ``remove``). Nodes compare by identity,
as in LibCST, so two equal-looking lines stay distinct; use ``deep_equals``
to compare structure.

The *logical line* of an instruction is what BuildKit parses: the text pieces
of its physical lines, without the continuation characters and without the
comment and empty lines it skips. Typed access (keyword, flags, arguments,
exec form, heredocs) is computed from it with BuildKit's own rules
(``dockerfix.grammar.buildkit``). Edits inside an instruction are made on the
logical line (``Instruction.replace_span``) and mapped back onto the physical
pieces, so continuations and comments outside the edited span are kept.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Iterator, Sequence

from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    from dockerfix.grammar.buildkit import Heredoc, ParsedInstruction

    N = TypeVar("N", bound="Node")

__all__ = [
    "BlankLine",
    "Comment",
    "Continuation",
    "Directive",
    "Dockerfile",
    "Flag",
    "HeredocBody",
    "HeredocView",
    "Instruction",
    "Line",
    "Node",
    "Position",
    "Stage",
    "SwallowedLine",
]


class Node:
    """Base of all CST nodes: prints itself and compares structurally on request.

    Nodes are plain classes rather than dataclasses: creating a dataclass costs about a
    millisecond at import, which an editor pays on every save. Each class lists its
    ``_fields`` (the constructor's arguments, in order), which drive ``with_changes``
    and ``repr``; assigning an attribute raises, as for a frozen dataclass.
    """

    _fields: ClassVar[tuple[str, ...]] = ()

    def _set(self, **fields: Any) -> None:
        """Set the fields once, in ``__init__`` (``__setattr__`` refuses afterwards)."""
        self.__dict__.update(fields)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: use with_changes()")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"

    def _codegen(self, out: list[str]) -> None:
        raise NotImplementedError

    @property
    def code(self) -> str:
        """The exact source text of this node."""
        out: list[str] = []
        self._codegen(out)
        return "".join(out)

    def children(self) -> Sequence[Node]:
        """The child nodes, in source order."""
        return ()

    def deep_equals(self, other: object) -> bool:
        """True when ``other`` is a node of the same type that prints the same text."""
        return type(self) is type(other) and isinstance(other, Node) and self.code == other.code

    def with_changes(self: N, **changes: Any) -> N:
        """A copy of this node with some fields replaced."""
        unknown = changes.keys() - set(self._fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return type(self)(**values)


class Line(Node):
    """A whole physical line: its text and its line ending (``""`` at the end of a file)."""

    _fields: ClassVar[tuple[str, ...]] = ("text", "newline")
    text: str
    newline: str

    def __init__(self, text: str, newline: str) -> None:
        self._set(text=text, newline=newline)

    def _codegen(self, out: list[str]) -> None:
        out.append(self.text)
        out.append(self.newline)


class Directive(Line):
    """A parser directive line such as ``# escape=`` ``, ``# syntax=...``, ``# check=...``."""

    _fields = ("text", "newline", "name", "value")
    name: str
    value: str

    def __init__(self, text: str, newline: str, name: str, value: str) -> None:
        self._set(text=text, newline=newline, name=name, value=value)


class Comment(Line):
    """A whole-line comment outside an instruction (``text`` keeps its indentation)."""


class BlankLine(Line):
    """An empty or whitespace-only line outside an instruction."""


class SwallowedLine(Line):
    """A comment or empty line inside a continued instruction; BuildKit skips it."""

    @property
    def is_comment(self) -> bool:
        """True for a comment line, False for an empty (whitespace-only) line."""
        return self.text.lstrip().startswith("#")


class Continuation(Node):
    """A line continuation: the escape character, trailing blanks, newline, skipped lines."""

    _fields = ("escape", "trailing", "newline", "swallowed")
    escape: str
    trailing: str
    newline: str
    swallowed: tuple[SwallowedLine, ...]

    def __init__(
        self, escape: str, trailing: str, newline: str, swallowed: tuple[SwallowedLine, ...] = ()
    ) -> None:
        self._set(escape=escape, trailing=trailing, newline=newline, swallowed=swallowed)

    def children(self) -> Sequence[Node]:
        return self.swallowed

    def _codegen(self, out: list[str]) -> None:
        out.append(self.escape)
        out.append(self.trailing)
        out.append(self.newline)
        for line in self.swallowed:
            line._codegen(out)


class HeredocBody(Node):
    """The body of one heredoc: its lines verbatim and the terminator line."""

    _fields = ("lines", "terminator", "newline")
    lines: tuple[str, ...]
    terminator: str
    newline: str

    def __init__(self, lines: tuple[str, ...], terminator: str, newline: str) -> None:
        self._set(lines=lines, terminator=terminator, newline=newline)

    @property
    def content(self) -> str:
        """The body text as BuildKit reads it (lines with their newlines)."""
        return "".join(self.lines)

    def _codegen(self, out: list[str]) -> None:
        out.extend(self.lines)
        out.append(self.terminator)
        out.append(self.newline)


class HeredocView(Record):
    """A heredoc of an instruction: BuildKit's attributes plus its body node."""

    name: str
    file_descriptor: int
    expand: bool
    chomp: bool
    body: HeredocBody

    @property
    def content(self) -> str:
        """The body text, with leading tabs removed for ``<<-`` heredocs."""
        text = self.body.content
        if not self.chomp:
            return text
        return "".join(line.lstrip("\t") for line in text.splitlines(keepends=True))


class Flag(Record):
    """One builder flag such as ``--from=builder``: name without dashes, and value."""

    name: str
    value: str | None

    @classmethod
    def parse(cls, raw: str) -> Flag:
        """Split BuildKit's flag string (``--name=value`` or ``--name``)."""
        body = raw[2:] if raw.startswith("--") else raw
        name, eq, value = body.partition("=")
        return cls(name, value if eq else None)


Piece = str | Continuation


class Instruction(Node):
    """One instruction with its continuations and heredoc bodies.

    ``pieces`` alternate between text (kept by BuildKit in the logical line) and
    ``Continuation`` nodes. ``escape`` is the file's escape character, needed to
    interpret the logical line.
    """

    _fields = ("indent", "pieces", "newline", "heredoc_bodies", "escape")
    indent: str
    pieces: tuple[Piece, ...]
    newline: str
    heredoc_bodies: tuple[HeredocBody, ...]
    escape: str

    def __init__(
        self,
        indent: str,
        pieces: tuple[Piece, ...],
        newline: str,
        heredoc_bodies: tuple[HeredocBody, ...] = (),
        escape: str = "\\",
    ) -> None:
        self._set(
            indent=indent,
            pieces=pieces,
            newline=newline,
            heredoc_bodies=heredoc_bodies,
            escape=escape,
        )

    # -- printing ---------------------------------------------------------
    def _codegen(self, out: list[str]) -> None:
        out.append(self.indent)
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                piece._codegen(out)
        out.append(self.newline)
        for body in self.heredoc_bodies:
            body._codegen(out)

    def children(self) -> Sequence[Node]:
        kids: list[Node] = [p for p in self.pieces if isinstance(p, Continuation)]
        kids.extend(self.heredoc_bodies)
        return kids

    # -- BuildKit's view --------------------------------------------------
    @functools.cached_property
    def logical(self) -> str:
        """The logical line BuildKit parses (no continuations, no skipped lines)."""
        return "".join(p for p in self.pieces if isinstance(p, str))

    @functools.cached_property
    def parsed(self) -> ParsedInstruction:
        """BuildKit's parse of the logical line (may raise ``BuildKitError``)."""
        from dockerfix.grammar.buildkit import parse_instruction

        return parse_instruction(self.logical, self.escape)

    @property
    def keyword(self) -> str:
        """The keyword as written (``run``, ``RUN``...)."""
        return self.parsed.cmd

    @functools.cached_property
    def name(self) -> str:
        """The normalized keyword, upper case (``RUN``)."""
        return self.parsed.cmd.upper()

    @property
    def flags(self) -> tuple[Flag, ...]:
        """The builder flags (``--from=...``, ``--mount=...``), parsed."""
        return tuple(Flag.parse(f) for f in self.parsed.flags)

    def flag(self, name: str) -> str | None:
        """The value of the last flag called ``name`` (``""`` for a bare flag), or None."""
        found: str | None = None
        for f in self.flags:
            if f.name == name:
                found = f.value if f.value is not None else ""
        return found

    @property
    def args(self) -> tuple[str, ...]:
        """BuildKit's arguments (exec argv, shell text, words, or key/value/sep triples)."""
        return self.parsed.args

    @property
    def is_exec_form(self) -> bool:
        """True when the arguments are a JSON array (exec form)."""
        return self.parsed.json

    @property
    def shell_text(self) -> str | None:
        """For RUN/CMD/ENTRYPOINT/SHELL in shell form: the command text, else None."""
        if self.is_exec_form or self.name not in {"RUN", "CMD", "ENTRYPOINT", "SHELL"}:
            return None
        return self.args[0] if self.args else ""

    @property
    def heredocs(self) -> tuple[HeredocView, ...]:
        """The heredocs with their bodies, in the order they appear."""
        from dockerfix.grammar.buildkit import can_contain_heredoc, heredocs_from_line

        if not self.heredoc_bodies:
            return ()
        metas: list[Heredoc] = (
            heredocs_from_line(self.logical) if can_contain_heredoc(self.parsed) else []
        )
        return tuple(
            HeredocView(m.name, m.file_descriptor, m.expand, m.chomp, body)
            for m, body in zip(metas, self.heredoc_bodies, strict=False)
        )

    @property
    def shell_text_span(self) -> tuple[int, int] | None:
        """Where ``shell_text`` lies in ``logical`` (for ``replace_span``), or None."""
        text = self.shell_text
        if text is None:
            return None
        stripped = self.logical.rstrip()
        if not stripped.endswith(text):
            return None
        return len(stripped) - len(text), len(stripped)

    # -- editing ------------------------------------------------------------
    def replace_span(self, start: int, end: int, text: str) -> Instruction:
        """A copy with ``logical[start:end]`` replaced by ``text``.

        Pieces outside the span keep their continuations and skipped lines;
        continuations strictly inside the span are dropped with the text
        around them. An insertion at a line boundary goes before the
        continuation.
        """
        if not 0 <= start <= end <= len(self.logical):
            raise ValueError("span outside the logical line")
        out: list[Piece] = []
        pos = 0
        placed = False
        for piece in self.pieces:
            if isinstance(piece, Continuation):
                if not start < pos < end:
                    out.append(piece)
                continue
            p_start, p_end = pos, pos + len(piece)
            pos = p_end
            if not placed and p_start <= start <= p_end:
                tail = piece[end - p_start :] if end <= p_end else ""
                out.append(piece[: start - p_start] + text + tail)
                placed = True
            elif placed and p_start < end:
                if p_end > end:
                    out.append(piece[end - p_start :])
            else:
                out.append(piece)
        if not placed:
            out.append(text)
        return self.with_pieces(out)

    def with_pieces(self, pieces: Sequence[Piece]) -> Instruction:
        """A copy with these pieces, adjacent text merged and empty text dropped."""
        merged: list[Piece] = []
        for piece in pieces:
            if isinstance(piece, str):
                if not piece:
                    continue
                if merged and isinstance(merged[-1], str):
                    merged[-1] += piece
                    continue
            merged.append(piece)
        return self.with_changes(pieces=tuple(merged))

    def with_logical(self, text: str) -> Instruction:
        """A copy whose whole logical line is ``text`` (one physical line)."""
        return self.replace_span(0, len(self.logical), text)


class Position(Record):
    """Where a node starts and ends: 1-based lines, 1-based column of its first character."""

    line: int
    column: int
    end_line: int


BodyNode = Directive | Comment | BlankLine | Instruction


class Stage:
    """One build stage: its ``FROM`` and the instructions up to the next ``FROM``.

    Compares by value (a plain class, not a named tuple: ``index`` is a field).
    """

    __slots__ = ("from_", "index", "instructions")

    def __init__(
        self, index: int, from_: Instruction, instructions: tuple[Instruction, ...]
    ) -> None:
        self.index = index
        self.from_ = from_
        self.instructions = instructions

    def _key(self) -> tuple[int, Instruction, tuple[Instruction, ...]]:
        return (self.index, self.from_, self.instructions)

    def __eq__(self, other: object) -> bool:
        return type(other) is Stage and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Stage(index={self.index!r}, from_={self.from_!r}, instructions=...)"

    @property
    def base_image(self) -> str:
        """The image named by ``FROM`` (may contain ``$VARS``), or ``""``."""
        return self.from_.args[0] if self.from_.args else ""

    @property
    def name(self) -> str | None:
        """The ``AS`` name, or None."""
        args = self.from_.args
        if len(args) >= 3 and args[1].lower() == "as":
            return args[2]
        return None

    @property
    def platform(self) -> str | None:
        """The ``--platform`` flag value, or None."""
        return self.from_.flag("platform")


class Dockerfile(Node):
    """The root: a BOM flag and the file's lines, in order."""

    _fields = ("body", "bom")
    body: tuple[BodyNode, ...]
    bom: bool

    def __init__(self, body: tuple[BodyNode, ...], bom: bool = False) -> None:
        self._set(body=body, bom=bom)

    def _codegen(self, out: list[str]) -> None:
        if self.bom:
            out.append("\ufeff")
        for node in self.body:
            node._codegen(out)

    def children(self) -> Sequence[Node]:
        return self.body

    # -- the file's habits ------------------------------------------------
    @functools.cached_property
    def escape(self) -> str:
        """The escape character set by ``# escape=`` (default backslash)."""
        for node in self.body:
            if isinstance(node, Directive) and node.name == "escape":
                return node.value
        return "\\"

    @functools.cached_property
    def directives(self) -> tuple[Directive, ...]:
        """The parser directives at the top of the file."""
        return tuple(n for n in self.body if isinstance(n, Directive))

    @functools.cached_property
    def newline(self) -> str:
        """The newline new lines should use: the file's most common one (LF by default)."""
        crlf, lf = self._newline_counts
        return "\r\n" if crlf > lf else "\n"

    @functools.cached_property
    def _newline_counts(self) -> tuple[int, int]:
        return _count_newlines(self.body)

    @functools.cached_property
    def keyword_case(self) -> str:
        """``"upper"`` or ``"lower"``: how most of the file's keywords are written."""
        lower, upper = self._keyword_counts
        return "lower" if lower > upper else "upper"

    @functools.cached_property
    def _keyword_counts(self) -> tuple[int, int]:
        return _count_keywords(self.body)

    def _newlines(self) -> Iterator[str]:
        return _newlines(self.body)

    @functools.cached_property
    def skeleton_cache(self) -> dict[str, Any]:
        """A place for facts computed from the ``FROM`` lines and global ``ARG``s alone.

        An edit below the first ``FROM`` that adds or removes no ``FROM`` hands the same
        dict to the new tree (see ``_edit``); the facts must not depend on anything else.
        """
        return {}

    # -- typed access -------------------------------------------------------
    @functools.cached_property
    def instructions(self) -> tuple[Instruction, ...]:
        """All instructions, in order (computed once: the tree is immutable)."""
        return _only_instructions(self.body)

    @functools.cached_property
    def stages(self) -> tuple[Stage, ...]:
        """The build stages (instructions before the first ``FROM`` belong to none).

        Computed once (the tree is immutable), so the same ``Stage`` objects come back.
        """
        stages: list[Stage] = []
        current: list[Instruction] = []
        from_: Instruction | None = None
        for ins in self.instructions:
            if ins.name == "FROM":
                if from_ is not None:
                    stages.append(Stage(len(stages), from_, tuple(current)))
                from_, current = ins, []
            elif from_ is not None:
                current.append(ins)
        if from_ is not None:
            stages.append(Stage(len(stages), from_, tuple(current)))
        return tuple(stages)

    @functools.cached_property
    def _positions(self) -> dict[int, Position]:
        positions: dict[int, Position] = {}
        line = 1
        for node in self.body:
            text = node.code
            end_line = line + text.count("\n")
            if text.endswith("\n"):
                end_line -= 1
            column = len(node.indent) + 1 if isinstance(node, Instruction) else 1
            positions[id(node)] = Position(line, column, max(line, end_line))
            line += text.count("\n")
        return positions

    def position(self, node: BodyNode) -> Position:
        """The position of a line-level node of this tree."""
        try:
            return self._positions[id(node)]
        except KeyError:
            raise ValueError("node is not in this tree") from None

    @functools.cached_property
    def _indexes(self) -> dict[int, int]:
        body = self.body
        # reversed: the first occurrence of a node wins (an edit looks its anchor up here)
        return dict(zip(map(id, reversed(body)), range(len(body) - 1, -1, -1), strict=True))

    def index(self, node: BodyNode) -> int:
        """Where ``node`` is in ``body`` (raises ``ValueError`` if it is not in this tree)."""
        try:
            return self._indexes[id(node)]
        except KeyError:
            raise ValueError("node is not in this tree") from None

    # -- editing --------------------------------------------------------------

    def replace(self, old: BodyNode, new: BodyNode | Sequence[BodyNode]) -> Dockerfile:
        """A new tree with ``old`` replaced by one node or several."""
        i = self.index(old)
        repl = (new,) if isinstance(new, Node) else tuple(new)
        return self._edit(i, i + 1, repl)

    def insert_before(self, anchor: BodyNode, nodes: Sequence[BodyNode]) -> Dockerfile:
        """A new tree with ``nodes`` inserted before ``anchor``."""
        i = self.index(anchor)
        return self._edit(i, i, tuple(nodes))

    def insert_after(self, anchor: BodyNode, nodes: Sequence[BodyNode]) -> Dockerfile:
        """A new tree with ``nodes`` inserted after ``anchor``."""
        i = self.index(anchor) + 1
        return self._edit(i, i, tuple(nodes))

    def remove(self, node: BodyNode) -> Dockerfile:
        """A new tree without ``node``."""
        i = self.index(node)
        return self._edit(i, i + 1, ())

    def _edit(self, i: int, j: int, new: tuple[BodyNode, ...]) -> Dockerfile:
        """A new tree with ``body[i:j]`` replaced by ``new``.

        The facts already computed for this tree are carried over to the new one where the
        edit cannot change them, or updated by what it removes and adds: a rule editing
        stage after stage then pays for each edit, not for the whole file each time.
        """
        body = self.body
        old = body[i:j]
        tree = Dockerfile(body[:i] + new + body[j:], self.bom)
        known, facts = self.__dict__, tree.__dict__
        if "_newline_counts" in known:
            (crlf, lf), (add_crlf, add_lf), (del_crlf, del_lf) = (
                known["_newline_counts"],
                _count_newlines(new),
                _count_newlines(old),
            )
            facts["_newline_counts"] = (crlf + add_crlf - del_crlf, lf + add_lf - del_lf)
        if "_keyword_counts" in known:
            (lower, upper), (add_lower, add_upper), (del_lower, del_upper) = (
                known["_keyword_counts"],
                _count_keywords(new),
                _count_keywords(old),
            )
            facts["_keyword_counts"] = (
                lower + add_lower - del_lower,
                upper + add_upper - del_upper,
            )
        changed = old + new
        if not any(isinstance(n, Directive) for n in changed):
            for name in ("escape", "directives"):
                if name in known:
                    facts[name] = known[name]
        if "stages" in known and not any(
            isinstance(n, Instruction) and n.name == "FROM" for n in changed
        ):
            stages = known["stages"]
            facts["stages"] = self._stages_after(stages, i, j, tree.body, len(new))
            if stages and i > self._indexes[id(stages[0].from_)] and "skeleton_cache" in known:
                # below the first FROM, no FROM changed: same FROM lines, same global ARGs
                facts["skeleton_cache"] = known["skeleton_cache"]
        return tree

    def _stages_after(
        self, stages: tuple[Stage, ...], i: int, j: int, body: tuple[BodyNode, ...], added: int
    ) -> tuple[Stage, ...]:
        """The stages once ``body[i:j]`` (no FROM) is replaced by ``added`` nodes (no FROM)."""
        starts = [self._indexes[id(st.from_)] for st in stages]
        k = bisect.bisect_left(starts, i) - 1  # the stage of the last FROM before position i
        if k < 0:
            return stages  # the edit is above the first FROM: in no stage
        shift = added - (j - i)
        end = starts[k + 1] + shift if k + 1 < len(stages) else len(body)
        inside = body[starts[k] + 1 : end]
        return (
            *stages[:k],
            Stage(k, stages[k].from_, _only_instructions(inside)),
            *stages[k + 1 :],
        )

    def append(self, nodes: Sequence[BodyNode]) -> Dockerfile:
        """A new tree with ``nodes`` at the end (a missing final newline is added first)."""
        body = list(self.body)
        if body and body[-1].code and not body[-1].code.endswith("\n"):
            last = body[-1]
            if isinstance(last, Instruction) and last.heredoc_bodies:
                bodies = list(last.heredoc_bodies)
                bodies[-1] = bodies[-1].with_changes(newline=self.newline)
                body[-1] = last.with_changes(heredoc_bodies=tuple(bodies))
            else:
                body[-1] = last.with_changes(newline=self.newline)
        return self.with_changes(body=tuple(body) + tuple(nodes))


def _only_instructions(nodes: Sequence[BodyNode]) -> tuple[Instruction, ...]:
    """The instructions among ``nodes``, in order (a C-level filter: called on every edit)."""
    kept = itertools.compress(nodes, map(isinstance, nodes, itertools.repeat(Instruction)))
    return tuple(kept)  # type: ignore[arg-type]  # compress keeps only Instruction


def _newlines(nodes: Sequence[BodyNode]) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, Instruction):
            yield node.newline
            for p in node.pieces:
                if isinstance(p, Continuation):
                    yield p.newline
        else:
            yield node.newline


def _count_newlines(nodes: Sequence[BodyNode]) -> tuple[int, int]:
    """``(CRLF, LF)`` line ends of ``nodes`` (empty ones not counted)."""
    crlf = lf = 0
    for line_end in _newlines(nodes):
        if line_end.endswith("\r\n"):
            crlf += 1
        elif line_end:
            lf += 1
    return crlf, lf


def _count_keywords(nodes: Sequence[BodyNode]) -> tuple[int, int]:
    """``(lower, upper)``: instructions of ``nodes`` with a lower- or upper-case keyword."""
    lower = upper = 0
    for node in nodes:
        if isinstance(node, Instruction):
            kw = node.keyword
            if kw.islower():
                lower += 1
            elif kw.isupper():
                upper += 1
    return lower, upper
