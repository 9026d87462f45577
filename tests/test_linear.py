"""Cost linear in the input: deterministic work counts, and adversarial inputs under deadlines.

Wall-clock goals are held by ``bench/scaling_bench.py``; here the *work* is counted — the
Python lines executed (``sys.settrace``), which do not depend on the machine or its load —
for an input and for the same input four times over: linear code does 4x the work.
Regular expressions run in C and are not counted, so they are tested separately with
large adversarial inputs under a deadline (a quadratic pattern takes seconds to minutes on
them, a linear one milliseconds).
"""

from __future__ import annotations

import ast
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dockerfix
from dockerfix.errors import ParseError
from dockerfix.facts import dockerignore, gosource, shellwords
from dockerfix.grammar import buildkit

from .fuzzing import Hang, deadline

HEAD = "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\n"
BLOCK = "RUN echo hello world && \\\n    go version # comment\nENV A=1 B=2\nCOPY a b\n"
TAIL = "RUN go build -o /app .\nCMD /app\n"
#: Work for 4x the input over work for 1x: 4 is linear; the slack covers fixed costs.
LINEAR = 4.4


def lines_executed(func: Callable[[], object]) -> int:
    """Python lines executed (plus calls and returns) while ``func`` runs."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        func()
    finally:
        sys.settrace(previous)
    return count


def growth(make: Callable[[int], str], run: Callable[[str], object], n: int) -> float:
    """Work on ``make(4n)`` over work on ``make(n)`` (after one warm-up run).

    The memo caches of the shell parser are emptied before each measured run: the warm-up
    would otherwise have left the answers for ``make(n)`` there, and not for ``make(4n)``.
    """
    run(make(n))
    shellwords.clear_caches()
    small = lines_executed(lambda: run(make(n)))
    shellwords.clear_caches()
    large = lines_executed(lambda: run(make(4 * n)))
    return large / small


def blocks(n: int) -> str:
    """A single-stage Go build with ``n`` four-instruction blocks."""
    return HEAD + BLOCK * n + TAIL


def continuation(n: int) -> str:
    """One RUN continued over ``n`` lines."""
    return "FROM golang:1.23\nRUN echo \\\n" + "    word \\\n" * n + "    end\nCMD /app\n"


def long_line(n: int) -> str:
    """A RUN line of ``n`` characters of words."""
    return "FROM golang:1.23\nRUN echo " + "ab " * (n // 3) + "\n"


@pytest.mark.parametrize(
    ("make", "n"),
    [(blocks, 100), (continuation, 1000), (long_line, 10_000)],
    ids=["instructions", "continuation-lines", "line-length"],
)
def test_parsing_is_linear(make: Callable[[int], str], n: int) -> None:
    assert growth(make, dockerfix.parse, n) < LINEAR


def _fix(text: str) -> object:
    return dockerfix.fix(text, None)


@pytest.mark.parametrize(
    ("make", "n"), [(continuation, 500), (long_line, 5_000)], ids=["continuation", "line"]
)
def test_fixing_one_long_instruction_is_linear(make: Callable[[int], str], n: int) -> None:
    assert growth(make, _fix, n) < LINEAR


def test_fixing_is_linear_in_instructions() -> None:
    assert growth(blocks, _fix, 50) < LINEAR


def stages(n: int) -> str:
    """``n`` small Go build stages."""
    return "".join(
        f"FROM golang:1.23 AS s{i}\nWORKDIR /src\nCOPY . .\nRUN go build -o /app{i} .\n"
        for i in range(n)
    )


def test_fixing_is_linear_in_stages() -> None:
    assert growth(stages, _fix, 10) < LINEAR


# -- regular expressions on adversarial input ------------------------------------------------

#: A line just under BuildKit's 65,535-byte limit.
BIG = 60_000


def _within(seconds: float, func: Callable[[], object]) -> None:
    try:
        with deadline(seconds):
            func()
    except ParseError:
        pass
    except Hang:
        pytest.fail(f"not done within {seconds} s: quadratic or worse")


ADVERSARIAL_PARSE = {
    "directive value then spaces": "#escape=a" + " " * BIG + "x\nFROM a\n",
    "directive name": "# " + "a" * BIG + "\nFROM a\n",
    "directive spaces": "#" + " " * BIG + "=`\nFROM a\n",
    "heredoc digits": "FROM a\nRUN " + "1" * BIG + "<<EOF\nx\nEOF\n",
    "heredoc markers": "FROM a\nRUN " + "<<" * (BIG // 2) + "\n",
    "spaces": "FROM a\nRUN" + " " * BIG + "x\n",
    "tabs and spaces": "FROM a\nRUN" + " \t" * (BIG // 2) + "\n",
    "escapes": "FROM a\nRUN " + "\\ " * (BIG // 2) + "\n",
    "quotes": "FROM a\nRUN " + "\"'" * (BIG // 2) + "\n",
    "json": 'FROM a\nCMD ["' + '\\"' * (BIG // 2) + "\n",
    "env pairs": "FROM a\nENV " + "a=b " * (BIG // 4) + "\n",
    "env equals": "FROM a\nENV a" + "=" * BIG + "\n",
    "flags": "FROM a\nCOPY " + "--x=y " * (BIG // 6) + "a b\n",
    "dashes": "FROM a\nCOPY " + "-" * BIG + " a b\n",
    "variables": "FROM a\nARG " + "${" * (BIG // 2) + "\n",
    "comment": "FROM a\n#" + "#" * BIG + "\n",
    "line too long": "FROM a\nRUN " + "x" * 100_000 + "\n",
}


@pytest.mark.parametrize("text", list(ADVERSARIAL_PARSE.values()), ids=list(ADVERSARIAL_PARSE))
def test_parser_regexes_are_linear_on_adversarial_lines(text: str) -> None:
    _within(5, lambda: dockerfix.parse(text))


ADVERSARIAL_FIX = {
    "words": "FROM golang:1.23\nRUN go build " + "-x " * 5_000 + "-o /app .\n",
    "copy variables": "FROM golang:1.23\nCOPY " + "${" * 10_000 + " /x\nRUN go build .\n",
    "subshells": "FROM golang:1.23\nRUN " + "$(" * 10_000 + "\n",
    "entrypoint": "FROM golang:1.23\nRUN go build -o /app .\nCMD " + "/app " * 4_000 + "\n",
}


@pytest.mark.parametrize("text", list(ADVERSARIAL_FIX.values()), ids=list(ADVERSARIAL_FIX))
def test_fixer_survives_adversarial_lines(text: str) -> None:
    # the fixer handles ~10 kB/s on one long RUN line (linear, see above): a hang check only
    _within(60, lambda: dockerfix.fix(text, None))


# Every regular expression of the package, found statically (``re.compile`` assigned to a
# name, ``re.compile`` returned by a function such as a ``functools.cache``d
# ``def _name_re() -> re.Pattern[str]``, and ``re.search(r"...")``-style calls) with the
# ways the code uses it, run on
# adversarial strings of 20,000 characters. A linear pattern takes well under 10 ms on
# them; a quadratic one ~0.2-20 s, so the check is: slower than 40 ms *and* more than 9x
# slower than on a quarter of the string (linear: ~4x, quadratic: ~16x).

_MODES = {
    "search": "search",
    "finditer": "search",
    "findall": "search",
    "sub": "search",
    "subn": "search",
    "split": "search",
    "match": "match",
    "fullmatch": "fullmatch",
}
PACKAGE = Path(dockerfix.__file__).parent


def _flags(node: ast.expr | None) -> int:
    if node is None:
        return 0
    value = eval(compile(ast.Expression(node), "<flags>", "eval"), {"re": re})
    return int(value)


def _is_re(node: ast.expr, attrs: Iterable[str]) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "re"
        and node.attr in attrs
    )


def _enclosing_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node.name
    return None


def _call_modes(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> set[str]:
    """The match modes of ``_name_re()``: ``_name_re().search(...)`` -> search."""
    parent = parents.get(call)
    if isinstance(parent, ast.Attribute) and parent.value is call:
        return {_MODES.get(parent.attr, "search")}
    return {"search", "match", "fullmatch"}  # kept in a variable or passed on: the worst


def package_regexes() -> dict[str, tuple[re.Pattern[str], frozenset[str]]]:
    """``module:name-or-line`` -> (compiled pattern, the match modes the code uses).

    A pattern assigned to a name is keyed ``module:name``; one returned by a function
    (compiled on first use) ``module:function()``.
    """
    found: dict[str, tuple[re.Pattern[str], frozenset[str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        compiled: dict[str, re.Pattern[str]] = {}
        returned: dict[str, re.Pattern[str]] = {}  # function name -> the pattern it returns
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                pattern = node.args[0].value
                if not isinstance(pattern, str):
                    continue
                flags = next((k.value for k in node.keywords if k.arg == "flags"), None)
                if _is_re(node.func, ["compile"]):
                    if len(node.args) > 1:
                        flags = node.args[1]
                    owner = parents.get(node)
                    targets = (
                        owner.targets
                        if isinstance(owner, ast.Assign)
                        else [owner.target]
                        if isinstance(owner, ast.AnnAssign)
                        else []
                    )
                    for target in targets:
                        if isinstance(target, ast.Name):
                            compiled[target.id] = re.compile(pattern, _flags(flags))
                    if isinstance(owner, ast.Return):
                        function = _enclosing_function(owner, parents)
                        assert function is not None, f"{module}: return outside a function"
                        assert function not in returned, f"{module}:{function} returns two"
                        returned[function] = re.compile(pattern, _flags(flags))
                    elif not targets:
                        raise AssertionError(f"{module}: re.compile({pattern!r}) has no name")
                elif _is_re(node.func, _MODES):
                    assert isinstance(node.func, ast.Attribute)
                    key = f"{module}:{pattern}"  # by text: line numbers move
                    mode = frozenset({_MODES[node.func.attr]})
                    if key in found:
                        mode |= found[key][1]
                    found[key] = (re.compile(pattern, _flags(flags)), mode)
        modes: dict[str, set[str]] = {name: set() for name in compiled}
        calls: dict[str, set[str]] = {name: set() for name in returned}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in compiled:
                parent = parents.get(node)
                if isinstance(parent, ast.Attribute) and parent.value is node:
                    modes[node.id].add(_MODES.get(parent.attr, "search"))
                elif isinstance(node.ctx, ast.Load):  # passed around: assume the worst
                    modes[node.id] |= {"search", "match", "fullmatch"}
            elif isinstance(node, ast.Name) and node.id in returned:
                call = parents.get(node)
                if isinstance(call, ast.Call) and call.func is node:
                    calls[node.id] |= _call_modes(call, parents)
                else:  # the function itself passed around: assume the worst
                    calls[node.id] |= {"search", "match", "fullmatch"}
        for name, regex in compiled.items():
            found[f"{module}:{name}"] = (regex, frozenset(modes[name] or {"search"}))
        for name, regex in returned.items():
            found[f"{module}:{name}()"] = (regex, frozenset(calls[name] or {"search"}))
    return found


_UNITS = [
    *" \t\na0_$.{}()[]-=/:\\`'\",@#%*<>|&;+!?~",
    "${",
    "$(",
    "a=",
    "<<",
    "\\\n",
    "a ",
    " a",
    "[a",
    "a]",
    "\\ ",
    "'\"",
    "-x",
    "--",
    "\r\n",
    "\t ",
    " \n",
    "_ ",
    "0<",
    "a.",
    "./",
    "//",
    "/*",
    '"a',
    "v1",
]


def adversarial(n: int) -> list[str]:
    """Strings of about ``n`` characters that make backtracking patterns work hard."""
    out: list[str] = []
    for unit in _UNITS:
        body = unit * (n // len(unit))
        out += [body, body + "\x01", "a" + body + "!"]
    return out


REGEXES = package_regexes()
KNOWN_QUADRATIC: dict[str, str] = {}  # "module:name" -> why (an xfail)


def _time(call: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    try:
        with deadline(2):
            call(text)
    except Hang:
        return float("inf")  # 2 s on 20,000 characters: quadratic or worse
    return time.perf_counter() - start


def _quadratic(pattern: re.Pattern[str], modes: frozenset[str]) -> list[str]:
    slow: list[str] = []
    small, large = adversarial(5_000), adversarial(20_000)
    for mode in sorted(modes):
        call = getattr(pattern, mode)
        for short, text in zip(small, large, strict=True):
            spent = _time(call, text)
            if spent > 0.04 and (spent == float("inf") or spent > 9 * _time(call, short)):
                slow.append(f"{mode}({text[:12]!r}...): {spent:.2f} s on {len(text)} characters")
                return slow  # one is enough
    return slow


def _regex_params() -> list[Any]:
    params = []
    for key in sorted(REGEXES):
        marks = []
        if key in KNOWN_QUADRATIC:
            reason = f"fixer bug: {KNOWN_QUADRATIC[key]} is O(n^2) (backtracking from each start)"
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(key, marks=marks, id=key))
    return params


def test_every_regex_of_the_package_is_found() -> None:
    assert len(REGEXES) >= 40
    assert "grammar/buildkit.py:_re_directive_head()" in REGEXES
    assert "facts/shellwords.py:_BRACKET_GLOB" in REGEXES


@pytest.mark.parametrize("key", _regex_params())
def test_regex_is_linear_on_adversarial_input(key: str) -> None:
    pattern, modes = REGEXES[key]
    assert _quadratic(pattern, modes) == []


def test_a_run_line_of_brackets_is_fixed_in_linear_time() -> None:
    _within(2, lambda: dockerfix.fix("FROM golang:1.23\nRUN echo " + "[" * 40_000 + "\n", None))


def test_go_sources_in_the_context_are_read_in_linear_time(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module x\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\nimport (\n" + "_" * 20_000 + "\n)\n")
    text = 'FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n'
    _within(2, lambda: dockerfix.fix(text, str(tmp_path / "Dockerfile")))


# -- the directive matcher keeps BuildKit's semantics --------------------------------------

_BUILDKIT_DIRECTIVE = re.compile(
    r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z"
)


@given(st.text(alphabet="aB1= \t\n\r\f\v#x`\\", max_size=12))
def test_directive_matching_equals_buildkits_expression(text: str) -> None:
    expected = _BUILDKIT_DIRECTIVE.match(text)
    head = buildkit._re_directive_head().match(text)
    value = None if head is None else buildkit._directive_value(text[head.end() :], head.group(2))
    if expected is None:
        assert value is None
    else:
        assert head is not None
        assert (head.group(1), value) == expected.groups()


# -- the linear rewrites give the answers of the quadratic patterns they replace ------------


def _texts(*pieces: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=12).map("".join)


@given(_texts("[", "]", "a", " "))
def test_bracket_glob_finds_what_the_old_pattern_found(text: str) -> None:
    assert bool(shellwords._BRACKET_GLOB.search(text)) == bool(re.search(r"\[[^\]]+\]", text))


@given(_texts("package", "m", " ", "\n", "\xa0", "\f"))
def test_package_clause_is_found_like_the_old_pattern(text: str) -> None:
    old = re.search(r"(?m)^\s*package\s+([A-Za-z_]\w*)", text)
    new = gosource._PACKAGE.search(text)
    assert (new and (new.group(1), new.end())) == (old and (old.group(1), old.end()))


# Each word starts with a letter or '_' (as Go names do): the only case the two can differ in
# is a name glued behind a digit or a non-ASCII letter ("1ab", "éa"), not valid Go names.
@settings(max_examples=1000)  # the differences to catch take four pieces in a row
@given(_texts("a", "_", "Z9é", ".", " ", '"'))
def test_import_specs_are_found_like_the_old_pattern(text: str) -> None:
    old = re.compile(r"(?:([A-Za-z_]\w*|[._])\s+)?[\"`]")
    new = gosource._IMPORT_SPEC
    assert [(m.group(1), m.end()) for m in new.finditer(text)] == [
        (m.group(1), m.end()) for m in old.finditer(text)
    ]


@given(_texts("[", "]", "a", "!", "*"))
def test_bracket_classes_are_replaced_like_the_old_substitution(text: str) -> None:
    assert dockerignore._replace_classes(text) == re.sub(r"\[[^\]]*\]", "x", text)


# The old pattern's answers, except where it was wrong: a nested ${a:-${b}}.
@given(_texts("$", "{", "}", "a", "-", "/", "${", "${a}"))
def test_variables_are_replaced_like_the_old_pattern_unless_nested(text: str) -> None:
    old = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
    if any("${" in m.group()[2:] for m in old.finditer(text)):
        return
    assert dockerignore._replace_variables(text, "*") == old.sub("*", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${a:-${b}}/x", "*/x"),
        ("${a:-${b:-${c}}}$d", "**"),
        ("${a:-$b}", "*"),
        ("${a ${b}", "${a *"),  # unclosed: not a reference, what it holds is
        ("$1$-$", "$1$-$"),
        ("é$é_$x", "é$é_*"),
    ],
)
def test_nested_variables_are_replaced_whole(text: str, expected: str) -> None:
    assert dockerignore._replace_variables(text, "*") == expected


@pytest.mark.parametrize("piece", ["${", "${a", "${a}", "$a", "}", "${${}"])
def test_variable_replacement_is_linear(piece: str) -> None:
    def replace(text: str) -> str:
        return dockerignore._replace_variables(text, "")

    assert growth(lambda n: piece * n, replace, 500) < LINEAR
