"""BuildKit's per-instruction semantics (``dockerfix.grammar.buildkit``) against the corpus.

The corpus lives outside the repository (``../shared/corpus``); nothing of it is
copied here.  Where it is missing the corpus tests are skipped, unless ``CI`` is set.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dockerfix
from dockerfix.grammar.buildkit import (
    BuildKitError,
    Heredoc,
    ParsedInstruction,
    _parse_heredoc,
    can_contain_heredoc,
    dump,
    go_quote,
    heredocs_from_line,
    parse_directive,
    parse_instruction,
)

CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"
BUILDKIT = CORPUS / "buildkit-parser"
GO_CASES = BUILDKIT / "go-test-cases"


def _need_corpus() -> None:
    if BUILDKIT.is_dir():
        return
    if os.environ.get("CI"):
        pytest.fail(f"the test corpus is missing: {CORPUS}")
    pytest.skip(f"the test corpus is not there: {CORPUS}")


def _case_dirs(folder: str) -> list[str]:
    path = BUILDKIT / folder
    return sorted(p.name for p in path.iterdir()) if path.is_dir() else []


def _real_files() -> list[str]:
    names = []
    for folder in ("go-real", "non-go"):
        path = CORPUS / folder
        if path.is_dir():
            names += [
                f"{folder}/{p.name}" for p in sorted(path.iterdir()) if p.name != "MANIFEST.tsv"
            ]
    return [n for n in names if (CORPUS / n).is_file()]


# ======================================================================================
# Instructions as dockerfix's own parser hands them to BuildKit's line parsers.
# ======================================================================================


@dataclass
class Logical:
    """One instruction as BuildKit's ``Parse`` hands it to ``newNodeFromLine``."""

    line: str
    start: int
    end: int
    node: ParsedInstruction
    heredocs: list[tuple[Heredoc, str]] = field(default_factory=list)


def buildkit_logical_lines(data: bytes) -> tuple[list[Logical], str]:
    """(instructions, escape token) of a whole file; BuildKitError where BuildKit fails."""
    try:
        tree = dockerfix.parse(data.decode("utf-8", "surrogateescape"))
    except dockerfix.ParseError as exc:
        raise BuildKitError(exc.message) from None
    if not tree.instructions:
        raise BuildKitError("file with no instructions")
    out = []
    for ins in tree.instructions:
        pos = tree.position(ins)
        heredocs = [
            (Heredoc(h.name, h.file_descriptor, h.expand, h.chomp), h.body.content)
            for h in ins.heredocs
        ]
        out.append(Logical(ins.logical, pos.line, pos.end_line, ins.parsed, heredocs))
    return out, tree.escape


def buildkit_dump(data: bytes) -> str:
    """The text BuildKit's parser test compares with a ``result`` file."""
    nodes, _ = buildkit_logical_lines(data)
    return "\n".join("(" + dump(item.node) + ")" for item in nodes) + "\n"


# ======================================================================================
# BuildKit's own parser test data
# ======================================================================================


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "shykes-nested-json",
            "when using JSON array syntax, arrays must be comprised of strings only",
        ),
        ("env_no_value", "ENV must have two arguments"),
        ("empty_dockerfile", "file with no instructions"),
        ("only_comments", "file with no instructions"),
    ],
)
def test_negative_cases(case: str, message: str) -> None:
    _need_corpus()
    data = (BUILDKIT / "testfiles-negative" / case / "Dockerfile").read_bytes()
    with pytest.raises(BuildKitError) as info:
        buildkit_logical_lines(data)
    assert info.value.message == message


def test_empty_continuation_lines_are_dropped() -> None:
    _need_corpus()
    nodes, _ = buildkit_logical_lines(
        (GO_CASES / "empty-continuation-warnings" / "Dockerfile").read_bytes()
    )
    lines = [item.line for item in nodes]
    assert "RUN something     following     more" in lines
    assert "RUN another     thing" in lines


def _heredoc_dicts(item: Logical) -> list[dict[str, Any]] | None:
    if not item.heredocs:
        return None
    return [
        {
            "Name": h.name,
            "FileDescriptor": h.file_descriptor,
            "Expand": h.expand,
            "Chomp": h.chomp,
            "Content": body,
        }
        for h, body in item.heredocs
    ]


def test_heredoc_json_form_is_exec_form() -> None:
    _need_corpus()
    nodes, _ = buildkit_logical_lines((GO_CASES / "heredoc-json-form" / "Dockerfile").read_bytes())
    assert [item.node.json for item in nodes] == [False, True, True, True]
    assert not any(can_contain_heredoc(item.node) for item in nodes[1:])


def _helpers() -> dict[str, Any]:
    _need_corpus()
    data: dict[str, Any] = json.loads((GO_CASES / "heredoc-helpers" / "expected.json").read_text())
    return data


def test_parse_heredoc_tables() -> None:
    tables = _helpers()["ParseHeredoc"]
    for word in tables["valid_all_named_EOF"]:
        heredoc = _parse_heredoc(word)
        assert heredoc is not None, word
        assert heredoc.name == "EOF", word
    for word in tables["invalid_error"]:
        with pytest.raises(BuildKitError):
            _parse_heredoc(word)
    for word in tables["not_heredoc"]:
        assert _parse_heredoc(word) is None, word


def test_heredocs_from_line_table() -> None:
    for case in _helpers()["heredocsFromLine"]:
        names = [h.name for h in heredocs_from_line(case["line"])]
        assert names == (case["heredoc_names"] or []), case


def test_directives_parse_all() -> None:
    _need_corpus()
    expected = json.loads((GO_CASES / "directives" / "expected.json").read_text())
    for case in expected["DirectiveParser.ParseAll"]:
        found = []
        for line in case["input"].split("\n"):
            directive = parse_directive(line)
            if directive is None:
                break
            found.append({"name": directive[0], "value": directive[1]})
        assert found == case["directives"], case


def _detect(data: str, key: str) -> tuple[str, int] | None:
    """DetectSyntax/ParseDirective restricted to '#' directives (what parse_directive covers)."""
    data = data.removeprefix("\ufeff")
    lines = data.split("\n")
    offset = 0
    if lines and lines[0].startswith("#!"):
        lines, offset = lines[1:], 1
    for number, line in enumerate(lines, start=1 + offset):
        directive = parse_directive(line)
        if directive is None:
            return None
        if directive[0] == key:
            return directive[1], number
    return None


def test_directives_detect() -> None:
    _need_corpus()
    expected = json.loads((GO_CASES / "directives" / "expected.json").read_text())
    cases = [("syntax", c) for c in expected["DetectSyntax"]]
    cases += [("check", c) for c in expected["ParseDirective(check)"]]
    checked = 0
    for key, case in cases:
        data = bytes.fromhex(case["input_hex"]).decode() if "input_hex" in case else case["input"]
        body = data.removeprefix("\ufeff").split("\n", 1)[-1 if data.startswith("#!") else 0]
        if body.startswith(("//", "{")):
            continue  # DetectSyntax's '//' and JSON forms are not parse_directive's business
        found = _detect(data, key)
        assert (found is not None) == case["found"], case
        checked += 1
        if found is None:
            continue
        value, line = found
        assert value.split(" ", 1)[0] == case.get("ref", case.get("value")), case
        if "cmdline" in case:
            assert value == case["cmdline"], case
        if "line" in case:
            assert line == case["line"], case
    assert checked >= 9


# ======================================================================================
# Unit tests of the public API
# ======================================================================================


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("", '""'),
        ("plain", '"plain"'),
        ("\x00", '"\\x00"'),
        ("\t", '"\\t"'),
        ("\a\b\f\n\r\v", '"\\a\\b\\f\\n\\r\\v"'),
        ('say "hi" \\', '"say \\"hi\\" \\\\"'),
        ("\x1b\x7f", '"\\x1b\\x7f"'),
        ("\u00e9", '"\u00e9"'),
        ("\u00a0", '"\\u00a0"'),
        ("\u200b", '"\\u200b"'),
        ("\u00ad", '"\\u00ad"'),
        ("\U0001f600", '"\U0001f600"'),
        ("\U000e0001", '"\\U000e0001"'),
        ("\ufffd", '"\ufffd"'),
        ("'", '"\'"'),
        ("\udcff\udc80", '"\\xff\\x80"'),  # surrogateescape: undecodable bytes
        ("\ud800", '"\\xed\\xa0\\x80"'),  # not valid UTF-8 in Go either
    ],
)
def test_go_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("FROM busybox AS build", 'from "busybox" "AS" "build"'),
        ("from\tbusybox", 'from "busybox"'),
        ("FOO bar baz", 'foo ""'),
        ("", '""'),
        ("ENV a b c", 'env "a" "b c" ""'),
        ('ENV a=b c="d e"', 'env "a" "b" "=" "c" "\\"d e\\"" "="'),
        ("LABEL a", None),
        ("ARG a b=c", 'arg "a" "b=c"'),
        ("ARG", "arg"),
        ('CMD ["a"] x', 'cmd "[\\"a\\"] x"'),
        ("CMD [NaN]", 'cmd "[NaN]"'),
        ('CMD ["a",]', 'cmd "[\\"a\\",]"'),
        ("CMD [1e400]", 'cmd "[1e400]"'),
        ('CMD ["\\ud800x"]', 'cmd "\ufffdx"'),
        ('CMD ["\\ud83d\\ude00"]', 'cmd "\U0001f600"'),
        ('RUN \u00a0["a"]', 'run "a"'),
        ('RUN [\v"a"]', 'run "[\\v\\"a\\"]"'),
        ("COPY --from=build --chown=1:1 a b", 'copy ["--from=build" "--chown=1:1"] "a" "b"'),
        ("COPY --from=\u00e9 a b", 'copy ["--from=\u00c3\u00a9"] "a" "b"'),
        ("COPY --chown=\u00e0:x a b", 'copy ["--chown=\u00c3"] ":x" "a" "b"'),
        ('COPY --a="x y" -- --b c', 'copy ["--a=x y"] "--b" "c"'),
        ('ONBUILD --x RUN ["a"]', 'onbuild ["--x"] (run "a")'),
        ("ONBUILD ONBUILD run x", 'onbuild (onbuild (run "x"))'),
        ("ONBUILD", "onbuild"),
        ("ONBU\u0130LD RUN x", 'onbu\u0130ld (run "x")'.replace("\u0130", "i")),
        ("HEALTHCHECK", "healthcheck"),
        ("HEALTHCHECK NONE", 'healthcheck "NONE"'),
        ("HEALTHCHECK CMD\u00a0x", 'healthcheck "CMD\\xc2" "x"'),
        ('healthcheck --interval=5s CMD ["a"]', 'healthcheck ["--interval=5s"] "CMD" "a"'),
        ("EXPOSE 80\u00a0 443", 'expose "80\\u00a0" "443"'),
        ("USER  me  ", 'user "me"'),
        ("RUN\u00a0x", 'run\u00a0x ""'),
    ],
)
def test_parse_and_dump(line: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(BuildKitError):
            parse_instruction(line)
        return
    assert dump(parse_instruction(line)) == expected


def test_parse_instruction_fields() -> None:
    node = parse_instruction('Copy --link ["a", "b"]')
    assert node == ParsedInstruction("Copy", ("--link",), ("a", "b"), True, None)
    assert node.name == "copy"
    onbuild = parse_instruction("onbuild add x y")
    assert onbuild.args == ()
    assert onbuild.sub == ParsedInstruction("add", (), ("x", "y"), False, None)
    assert can_contain_heredoc(onbuild)
    assert not can_contain_heredoc(parse_instruction('ONBUILD RUN ["a"]'))
    assert not can_contain_heredoc(parse_instruction("USER <<EOF"))


def test_escape_token() -> None:
    with pytest.raises(BuildKitError, match="can't find = in"):
        parse_instruction("ENV a=b\\ c", "`")
    assert dump(parse_instruction("ENV a=b\\ c=d", "`")) == 'env "a" "b\\\\" "=" "c" "d" "="'
    assert dump(parse_instruction("ENV a=b` c", "`")) == 'env "a" "b` c" "="'
    with pytest.raises(BuildKitError, match="invalid escape token"):
        parse_instruction("RUN x", "x")


def test_parse_errors_are_worded_like_buildkit() -> None:
    with pytest.raises(BuildKitError) as info:
        parse_instruction("ENV a=b c")
    assert info.value.message == (
        'Syntax error - can\'t find = in "c". Must be of the form: name=value'
    )
    with pytest.raises(BuildKitError) as info:
        parse_instruction('CMD ["a", 1]')
    assert info.value.message.startswith("when using JSON array syntax")


def test_json_depth() -> None:
    deep_ok = "CMD " + "[" * 10000 + "]" * 10000
    with pytest.raises(BuildKitError, match="strings only"):
        parse_instruction(deep_ok)
    too_deep = "CMD " + "[" * 10001 + "]" * 10001
    node = parse_instruction(too_deep)
    assert not node.json
    assert node.args == (too_deep[4:],)


def test_deep_onbuild_and_shell_nesting() -> None:
    node = parse_instruction("ONBUILD " * 5000 + "RUN x")
    assert dump(node).endswith('(run "x")' + ")" * 4999)
    assert heredocs_from_line("RUN " + "${a:-" * 3000 + "}" * 3000 + " <<EOF") == [
        Heredoc("EOF", 0, True, False)
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("RUN <<EOF", [Heredoc("EOF", 0, True, False)]),
        (
            "RUN 3<<-'E O' <<\"X\"Y",
            [Heredoc("E O", 3, False, True), Heredoc("XY", 0, False, False)],
        ),
        ("RUN <<  EOF  > foo", [Heredoc("EOF", 0, True, False)]),
        ("RUN <<-\t EOF", [Heredoc("EOF", 0, True, True)]),
        ("RUN << -EOF", [Heredoc("-EOF", 0, True, False)]),
        ("RUN <<\vEOF", []),
        ("RUN 99999999999999999999999<<EOF", [Heredoc("EOF", (1 << 64) - 1, True, False)]),
        ("RUN <<$EOF", [Heredoc("$EOF", 0, True, False)]),
        ("RUN <<${a}b", [Heredoc("${a}b", 0, True, False)]),
        ("RUN echo '<<EOF'", []),
        ('RUN echo "unterminated <<EOF', []),
        ("RUN cat <<EOF\\ X", [Heredoc("EOF X", 0, True, False)]),
    ],
)
def test_heredocs_from_line(line: str, expected: list[Heredoc]) -> None:
    assert heredocs_from_line(line) == expected


def test_heredoc_errors() -> None:
    with pytest.raises(BuildKitError) as info:
        heredocs_from_line("RUN <<${x:-a b}")
    assert info.value.message == "failed to process \"${x:-a\": syntax error: missing '}'"
    assert heredocs_from_line("RUN <<EOF'") == []  # the line itself does not lex: ignored
    with pytest.raises(BuildKitError, match="matching single-quote"):
        _parse_heredoc("<<EOF'")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# syntax=docker/dockerfile:1", ("syntax", "docker/dockerfile:1")),
        ("#ESCAPE = `  ", ("escape", "`")),
        ("  # check = skip=all\r\n", ("check", "skip=all")),
        ("#\u00a0escape=`", ("escape", "`")),
        ("# foo=bar", None),
        ("# escape", None),
        ("#", None),
        ("escape=`", None),
        ("", None),
    ],
)
def test_parse_directive(line: str, expected: tuple[str, str] | None) -> None:
    assert parse_directive(line) == expected


# Any code point, lone surrogates included (they stand for undecodable bytes).
_ANY_TEXT = st.text(st.characters(exclude_categories=()))


@given(st.one_of(st.text(), _ANY_TEXT), st.sampled_from(["\\", "`"]))
def test_parse_instruction_never_crashes(text: str, escape: str) -> None:
    for line in (text, "RUN " + text, "ENV " + text, "ONBUILD HEALTHCHECK " + text):
        try:
            node = parse_instruction(line, escape)
        except BuildKitError:
            continue
        assert isinstance(dump(node), str)


_SHELLISH = st.text(alphabet=st.sampled_from(list("<<-'\"\\${}:/#% \tEOFab0\u00a0\udc80")))


@given(st.one_of(st.text(), _ANY_TEXT, _SHELLISH))
def test_heredocs_from_line_never_crashes(text: str) -> None:
    for line in (text, "RUN " + text, "RUN <<" + text):
        with contextlib.suppress(BuildKitError):
            heredocs_from_line(line)


@given(st.one_of(st.text(), _ANY_TEXT))
def test_go_quote_and_directives_never_crash(text: str) -> None:
    assert go_quote(text).startswith('"')
    parse_directive(text)


# ======================================================================================
# Agreement with the official parser (PyPI ``dockerfile`` 3.4.0 = BuildKit v0.12.5)
#
# Known differences between v0.12.5 and current BuildKit, which this module follows:
# * v0.12.5 has no ENV/LABEL separator element: its values are key, value pairs.
# * v0.12.5 accepts JSON with trailing text (``CMD ["a"] x`` is exec form there);
#   current BuildKit requires the whole text to be the array.
# * v0.12.5 does not allow white space between ``<<`` and a heredoc word.
# * The Python binding drops a trailing NUL of a value (testfiles/json).
# * Its ``original`` of an instruction with heredocs carries the bodies as well.
# ======================================================================================


def _official_values(node: ParsedInstruction) -> tuple[str, ...]:
    """What the v0.12.5 binding reports as ``value``: ENV/LABEL without separators."""
    target = node.sub if node.sub is not None else node
    if target.name in ("env", "label"):
        return tuple(v for k, v in enumerate(target.args) if k % 3 != 2)
    return target.args


@pytest.mark.parametrize("name", _real_files() or ["<missing>"])
def test_agrees_with_official_parser(name: str) -> None:
    _need_corpus()
    dockerfile = pytest.importorskip("dockerfile")
    path = CORPUS / name
    ours, _ = buildkit_logical_lines(path.read_bytes())
    theirs = dockerfile.parse_file(str(path))
    assert len(ours) == len(theirs)
    for item, command in zip(ours, theirs, strict=True):
        node = item.node
        target = node.sub if node.sub is not None else node
        assert node.name == command.cmd.lower()
        assert (target.cmd.lower() if node.sub is not None else None) == (
            command.sub_cmd.lower() if command.sub_cmd else None
        )
        assert node.flags == tuple(command.flags)
        assert target.json == command.json
        assert _official_values(node) == tuple(command.value)
        assert (item.start, item.end) == (command.start_line, command.end_line)
        if item.heredocs:
            assert command.original.startswith(item.line)
            assert [(h.name, body) for h, body in item.heredocs] == [
                (h.name, h.content) for h in command.heredocs
            ]
        else:
            assert command.original == item.line
            assert not command.heredocs


@pytest.mark.parametrize("case", _case_dirs("testfiles") or ["<missing>"])
def test_testfiles_agree_with_official_parser(case: str) -> None:
    _need_corpus()
    dockerfile = pytest.importorskip("dockerfile")
    path = BUILDKIT / "testfiles" / case / "Dockerfile"
    ours, _ = buildkit_logical_lines(path.read_bytes())
    theirs = dockerfile.parse_file(str(path))
    assert [i.line for i in ours] == [c.original for c in theirs]
    for item, command in zip(ours, theirs, strict=True):
        values = _official_values(item.node)
        if case == "json" and values and values[-1].endswith("\x00"):
            values = (*values[:-1], values[-1][:-1])  # the binding drops the NUL
        assert values == tuple(command.value)
        assert item.node.flags == tuple(command.flags)
