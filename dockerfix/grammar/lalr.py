"""The LALR tables of ``dockerfile.lark``, built by Lark and cached, and the loop that runs them.

Lark compiles the grammar and computes its LALR(1) tables. Importing lark and
loading its own cache costs ~35 ms, more than a whole small ``dockerfix``
run should take, so the tables are stored as plain data in the user cache
(``usercache``, keyed by the dockerfix version, the grammar's checksum and the
Python version) and run by the small shift/reduce loop below. Lark is imported
only to rebuild the tables after a grammar change, on a first run, or when no
cache directory is writable.

Tree shaping follows Lark's rules for this grammar: rules whose name starts
with ``_`` (and Lark's generated ``__`` helpers for ``*`` and ``?``) are
inlined into their parent; every other rule calls the callback of its name.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Callable, Iterable

from dockerfix import usercache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# state -> symbol -> (is_shift, next state | rule index)
Table = dict[int, dict[str, tuple[bool, int]]]
# rule index -> (origin name, expansion length)
Rules = list[tuple[str, int]]
END = "$END"


class LalrError(Exception):
    """A token the tables do not expect (the pre-pass emitted an invalid sequence)."""


class Tables:
    """The parse tables of one grammar."""

    def __init__(self, states: Table, rules: Rules, start: int, end: int) -> None:
        self.states = states
        self.rules = rules
        self.start = start
        self.end = end


def grammar_path() -> str:
    """Where the grammar file lives (next to this module)."""
    return os.path.join(os.path.dirname(__file__), "dockerfile.lark")


def build_tables(grammar: str) -> Tables:
    """Let Lark analyse ``grammar`` and return its LALR tables as plain data."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="basic")
    table = lark.parser.parser.parser.parse_table
    rule_index: dict[Any, int] = {}
    rules: Rules = []
    states: Table = {}
    for state, actions in table.states.items():
        row: dict[str, tuple[bool, int]] = {}
        for raw_symbol, (action, arg) in actions.items():
            symbol = str.__str__(raw_symbol)  # plain str: the cache must not need lark
            if action is Shift:
                row[symbol] = (True, int(arg))
            else:
                if arg not in rule_index:
                    rule_index[arg] = len(rules)
                    rules.append((str.__str__(arg.origin.name), len(arg.expansion)))
                row[symbol] = (False, rule_index[arg])
        states[int(state)] = row
    return Tables(states, rules, int(table.start_states["start"]), int(table.end_states["start"]))


def load_tables() -> Tables:
    """The grammar's tables from the user cache, building (and caching) them when needed.

    A missing, unreadable or read-only cache directory only costs the build.
    """
    with open(grammar_path(), "rb") as f:
        grammar = f.read()
    name = f"lalr-{zlib.crc32(grammar):08x}-py{sys.version_info[0]}{sys.version_info[1]}"
    data = usercache.load(name)
    try:
        return Tables(data["states"], data["rules"], data["start"], data["end"])
    except (KeyError, TypeError):  # no entry, or not one of these
        pass
    tables = build_tables(grammar.decode("utf-8"))
    data = {"states": tables.states, "rules": tables.rules}
    data.update(start=tables.start, end=tables.end)
    usercache.store(name, data)
    return tables


class _Inline:
    """Children of an inlined rule, spliced into the parent's children."""

    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def parse(
    tables: Tables,
    tokens: Iterable[tuple[str, str]],
    callbacks: dict[str, Callable[[list[Any]], Any]],
) -> Any:
    """Run the LALR tables over ``tokens`` (type, value) and return the start rule's value."""
    states = tables.states
    rules = tables.rules
    end = tables.end
    state_stack = [tables.start]
    value_stack: list[Any] = []
    for kind, value in (*tokens, (END, "")):
        while True:
            action = states[state_stack[-1]].get(kind)
            if action is None:
                raise LalrError(f"unexpected {kind} token {value!r}")
            is_shift, arg = action
            if is_shift:
                state_stack.append(arg)
                value_stack.append(value)
                break
            origin, size = rules[arg]
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            # Lark's ``x*`` helpers are left-recursive (``__x_star: __x_star x``): the
            # first child is the list so far. Take it over instead of copying it, or
            # a file of n lines would cost O(n^2).
            first = children[0] if children else None
            if type(first) is _Inline:
                flat: list[Any] = first.items
                rest = children[1:]
            else:
                flat = []
                rest = children
            for child in rest:
                if type(child) is _Inline:
                    flat.extend(child.items)
                else:
                    flat.append(child)
            result = _Inline(flat) if origin.startswith("_") else callbacks[origin](flat)
            state_stack.append(states[state_stack[-1]][origin][1])
            value_stack.append(result)
            if kind == END and state_stack[-1] == end:
                return value_stack[-1]
    raise LalrError("unexpected end of input")  # pragma: no cover
