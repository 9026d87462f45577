"""Hypothesis properties of the parser: generated Dockerfiles round-trip, anything else
either round-trips or raises ParseError, and span edits touch only their span."""

from __future__ import annotations

import string

from hypothesis import assume, given
from hypothesis import strategies as st

import dockerfix
from dockerfix import cst
from dockerfix.errors import ParseError
from dockerfix.grammar.dump import dump

from .fuzzing import parse_or_located_error

KEYWORDS = ["FROM", "RUN", "CMD", "COPY", "ADD", "ENV", "LABEL", "ARG", "EXPOSE", "WORKDIR",
            "USER", "VOLUME", "ENTRYPOINT", "HEALTHCHECK", "SHELL", "STOPSIGNAL", "ONBUILD",
            "MAINTAINER", "UNKNOWNCMD"]
WORD_CHARS = string.ascii_letters + string.digits + "-_./:=$'\"[],{}"
words = st.text(WORD_CHARS, min_size=1, max_size=12)
spaces = st.sampled_from([" ", "  ", "\t", " \t"])
newlines = st.sampled_from(["\n", "\r\n"])


@st.composite
def instruction(draw: st.DrawFn, escape: str) -> str:
    kw = draw(st.sampled_from(KEYWORDS))
    kw = draw(st.sampled_from([kw, kw.lower(), kw.capitalize()]))
    nl = draw(newlines)
    line = draw(st.sampled_from(["", " ", "\t"])) + kw
    for _ in range(draw(st.integers(1, 4))):
        line += draw(spaces) + draw(words).replace(escape, "")
        if draw(st.booleans()):
            # a continuation, possibly with trailing blanks and swallowed lines
            line += " " + escape + draw(st.sampled_from(["", " ", "\t "])) + nl
            for _ in range(draw(st.integers(0, 2))):
                line += draw(st.sampled_from(["# inside comment", "   # indented", "", "  "])) + nl
            line += draw(st.sampled_from(["", "    ", "\t"]))
            line += draw(words).replace(escape, "")
    if kw.upper() in ("RUN", "COPY") and draw(st.booleans()):
        name = draw(st.sampled_from(["EOF", "END", "X1"]))
        chomp = draw(st.sampled_from(["", "-"]))
        quote = draw(st.sampled_from(["", "'", '"']))
        body = "".join(draw(words) + nl for _ in range(draw(st.integers(0, 3))))
        tabs = "\t" if chomp else ""
        return f"{kw} <<{chomp}{quote}{name}{quote} /x{nl}{body}{tabs}{name}{nl}"
    return line + nl


@st.composite
def dockerfile_text(draw: st.DrawFn) -> str:
    escape = draw(st.sampled_from(["\\", "`"]))
    text = "\ufeff" if draw(st.booleans()) else ""
    if escape == "`":
        text += "# escape=`\n"
    text += "FROM " + draw(words).replace(escape, "") + draw(newlines)
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["instruction", "instruction", "comment", "blank"]))
        if kind == "comment":
            text += "# " + draw(words) + draw(newlines)
        elif kind == "blank":
            text += draw(st.sampled_from(["", "  ", "\t"])) + draw(newlines)
        else:
            text += draw(instruction(escape))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


@given(dockerfile_text())
def test_generated_dockerfiles_roundtrip(text: str) -> None:
    try:
        tree = dockerfix.parse(text)
    except ParseError as exc:
        # generated arguments can still be invalid for BuildKit (e.g. `ENV onlykey`)
        error: ParseError | None = exc
    else:
        error = None
    if error is not None:
        assert error.line >= 1
        return
    assert tree.code == text
    again = dockerfix.parse(tree.code)
    assert again.deep_equals(tree)
    assert [i.logical for i in again.instructions] == [i.logical for i in tree.instructions]


@given(st.text(max_size=300))
def test_arbitrary_text_roundtrips_or_raises_parse_error(text: str) -> None:
    tree = parse_or_located_error(text)
    if tree is None:
        return
    assert tree.code == text
    if tree.instructions:
        dump(tree)  # never raises on a parsed tree with instructions


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_arbitrary_unicode_after_from(text: str) -> None:
    source = "FROM scratch\n" + text
    try:
        tree = dockerfix.parse(source)
    except ParseError:
        return
    assert tree.code == source


@given(dockerfile_text(), st.data())
def test_replace_span_changes_only_the_span(text: str, data: st.DataObject) -> None:
    try:
        tree = dockerfix.parse(text)
    except ParseError:
        return
    assume(tree.instructions)
    ins = data.draw(st.sampled_from(tree.instructions))
    n = len(ins.logical)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    new = ins.replace_span(start, end, "XYZ")
    assert new.logical == ins.logical[:start] + "XYZ" + ins.logical[end:]
    assert new.indent == ins.indent
    assert new.newline == ins.newline
    assert new.heredoc_bodies == ins.heredoc_bodies
    # continuations outside the span survive
    kept = [p for p in new.pieces if isinstance(p, cst.Continuation)]
    assert all(any(k is p for p in ins.pieces) for k in kept)
