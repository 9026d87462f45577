"""The parser agrees with BuildKit: its own test files, dumps, heredocs, lines, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dockerfix
from dockerfix import cst
from dockerfix.errors import ParseError
from dockerfix.grammar.dump import dump, warnings

from .conftest import CORPUS, corpus_dir

BK = CORPUS / "buildkit-parser"
CASES = sorted(p.name for p in (BK / "testfiles").iterdir()) if BK.is_dir() else []
NEGATIVE = sorted(p.name for p in (BK / "testfiles-negative").iterdir()) if BK.is_dir() else []


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("case", CASES)
def test_dump_matches_buildkit(case: str) -> None:
    corpus_dir()
    folder = BK / "testfiles" / case
    tree = dockerfix.parse(_text(folder / "Dockerfile"))
    assert dump(tree) == _text(folder / "result")


def test_all_33_cases_present() -> None:
    corpus_dir()
    assert len(CASES) == 33


@pytest.mark.parametrize("case", NEGATIVE)
def test_negative_cases_fail(case: str) -> None:
    corpus_dir()
    text = _text(BK / "testfiles-negative" / case / "Dockerfile")
    with pytest.raises(ParseError) as info:
        dump(dockerfix.parse(text))
    assert info.value.line >= 1
    assert info.value.column >= 1


def test_line_too_long() -> None:
    corpus_dir()
    text = _text(BK / "go-test-cases" / "line-too-long" / "Dockerfile")
    with pytest.raises(ParseError, match="max allowed size of 65535") as info:
        dockerfix.parse(text)
    assert info.value.line == 3


def test_line_of_exactly_65535_bytes_is_fine() -> None:
    dockerfix.parse("FROM a\nLABEL x=" + "a" * (65535 - len("LABEL x=")) + "\n")
    with pytest.raises(ParseError):
        dockerfix.parse("FROM a\nLABEL x=" + "a" * (65536 - len("LABEL x=")) + "\n")


def _expected(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads(_text(BK / "go-test-cases" / name / "expected.json"))


def test_heredoc_extract() -> None:
    corpus_dir()
    tree = dockerfix.parse(_text(BK / "go-test-cases" / "heredoc-extract" / "Dockerfile"))
    children = tree.instructions
    for case in _expected("heredoc-extract")["children"]:
        ins = children[case["child_index"]]
        got = [
            {
                "Name": h.name,
                "FileDescriptor": h.file_descriptor,
                "Expand": h.expand,
                "Chomp": h.chomp,
                "Content": h.body.content,
            }
            for h in ins.heredocs
        ]
        assert got == (case["heredocs"] or []), case["instruction_comment"]


def test_heredoc_json_form() -> None:
    corpus_dir()
    tree = dockerfix.parse(_text(BK / "go-test-cases" / "heredoc-json-form" / "Dockerfile"))
    for case in _expected("heredoc-json-form")["children"]:
        assert tree.instructions[case["child_index"]].heredocs == ()


def test_line_numbers() -> None:
    corpus_dir()
    expected = _expected("line-numbers")
    tree = dockerfix.parse(_text(BK / "testfile-line" / "Dockerfile"))
    spans = [
        [tree.position(i).line, tree.position(i).end_line] for i in tree.instructions
    ]
    assert spans == expected["children"]
    assert spans[0][0] == expected["ast_start_line"]
    assert spans[-1][1] == expected["ast_end_line"]


def test_empty_continuation_warnings() -> None:
    corpus_dir()
    expected = _expected("empty-continuation-warnings")
    tree = dockerfix.parse(
        _text(BK / "go-test-cases" / "empty-continuation-warnings" / "Dockerfile")
    )
    found = warnings(tree)
    assert len(found) == len(expected["warnings"])
    for warning, want in zip(found, expected["warnings"], strict=True):
        for piece in want["short_contains"]:
            assert piece in warning


def test_directives_parse_all() -> None:
    corpus_dir()
    for case in _expected("directives")["DirectiveParser.ParseAll"]:
        tree = dockerfix.parse(case["input"] + "FROM scratch\n")
        got = [{"name": d.name, "value": d.value} for d in tree.directives]
        assert got == case["directives"]


@pytest.mark.parametrize(
    ("text", "escape"),
    [
        ("# escape=`\nFROM a\n", "`"),
        ("\ufeff# escape=`\nFROM a\n", "`"),
        ("  # escape = ` \nFROM a\n", "`"),
        ("# syntax=x\n# escape=`\nFROM a\n", "`"),
        ("\n# escape=`\nFROM a\n", "\\"),
        ("# comment\n# escape=`\nFROM a\n", "\\"),
        ("FROM a\n# escape=`\n", "\\"),
    ],
)
def test_escape_directive_position(text: str, escape: str) -> None:
    assert dockerfix.parse(text).escape == escape


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("# escape=x\nFROM a\n", "invalid escape token", 1),
        ("# escape=`\n# escape=`\nFROM a\n", "only one escape parser directive", 2),
        ("FROM a\nRUN <<EOF\nnever ends\n", "unterminated heredoc", 2),
        ('FROM a\nCMD ["a", 1]\n', "arrays must be comprised of strings only", 2),
        ("FROM a\nENV ONLYKEY\n", "ENV must have two arguments", 2),
        ("FROM a\nENV a=b c\n", "can't find = in", 2),
        ('FROM a\nONBUILD CMD ["a", {}]\n', "comprised of strings only", 2),
    ],
)
def test_errors_are_located(text: str, message: str, line: int) -> None:
    with pytest.raises(ParseError, match=message) as info:
        dockerfix.parse(text)
    assert info.value.line == line


def test_empty_file_parses_to_empty_tree_but_dump_rejects_it() -> None:
    for text in ("", "# only a comment\n", "\n\n"):
        tree = dockerfix.parse(text)
        assert tree.instructions == ()
        assert tree.code == text
        with pytest.raises(ParseError, match="file with no instructions"):
            dump(tree)


def test_typed_access() -> None:
    tree = dockerfix.parse(
        "ARG GO=1.23\n"
        "FROM --platform=$BUILDPLATFORM golang:${GO} AS build\n"
        "COPY --from=x --chown=1:1 a b /dst/\n"
        'CMD ["/app", "-v"]\n'
        "RUN echo hi \\\n  there\n"
        "FROM scratch\n"
    )
    build, final = tree.stages
    assert build.name == "build"
    assert build.platform == "$BUILDPLATFORM"
    assert build.base_image == "golang:${GO}"
    assert final.name is None
    copy, cmd, run = build.instructions
    assert copy.flag("from") == "x"
    assert copy.flag("chown") == "1:1"
    assert copy.args == ("a", "b", "/dst/")
    assert cmd.is_exec_form
    assert cmd.args == ("/app", "-v")
    assert run.shell_text == "echo hi   there"
    assert tree.position(run) == cst.Position(5, 1, 6)
