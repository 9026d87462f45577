"""The CST nodes: immutable, copied with ``with_changes``, compared by identity; new text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dockerfix
from dockerfix import cst
from dockerfix.fixer import style

SOURCE = "FROM golang:1.23 AS build\nRUN go build \\\n  -o /app .\n"


def test_nodes_refuse_assignment_and_deletion() -> None:
    tree = dockerfix.parse(SOURCE)
    run = tree.instructions[1]
    with pytest.raises(AttributeError, match="immutable"):
        run.newline = ""
    with pytest.raises(AttributeError, match="immutable"):
        del tree.body


def test_with_changes_copies_and_keeps_the_original() -> None:
    tree = dockerfix.parse(SOURCE)
    run = tree.instructions[1]
    changed = run.with_changes(newline="")
    assert changed is not run
    assert type(changed) is cst.Instruction
    assert changed.pieces == run.pieces
    assert changed.escape == run.escape
    assert changed.code == run.code[:-1]
    assert run.code.endswith("\n")
    assert tree.replace(run, changed).code == SOURCE[:-1]
    with pytest.raises(TypeError, match="no field 'colour'"):
        run.with_changes(colour="red")


def test_cached_views_are_recomputed_for_a_copy() -> None:
    run = dockerfix.parse(SOURCE).instructions[1]
    assert run.logical == "RUN go build   -o /app ."
    assert run.with_logical("RUN true").logical == "RUN true"


def test_identity_equality_for_nodes_and_value_equality_for_records() -> None:
    a, b = cst.Comment("# x", "\n"), cst.Comment("# x", "\n")
    assert a != b
    assert a.deep_equals(b)
    assert repr(a) == "Comment(text='# x', newline='\\n')"
    tree = dockerfix.parse(SOURCE)
    stage = tree.stages[0]
    assert stage == cst.Stage(0, stage.from_, stage.instructions)
    assert len({stage, cst.Stage(0, stage.from_, stage.instructions)}) == 1
    assert stage.name == "build"
    assert stage.base_image == "golang:1.23"
    assert cst.Flag.parse("--from=build") == cst.Flag("from", "build")


@given(st.text())
def test_json_string_is_jsons_own_spelling(text: str) -> None:
    assert style.json_string(text) == json.dumps(text, ensure_ascii=False)


def _ins(text: str) -> cst.Instruction:
    return dockerfix.parse(text).instructions[0]


def _facts(tree: cst.Dockerfile) -> tuple[object, ...]:
    stages = [(s.index, s.from_.code, [i.code for i in s.instructions]) for s in tree.stages]
    directives = [d.code for d in tree.directives]
    return (stages, tree.newline, tree.keyword_case, tree.escape, directives)


def test_facts_carried_over_by_edits_equal_those_of_a_fresh_tree() -> None:
    tree = dockerfix.parse(
        "# escape=\\\nARG V=1\nfrom a AS one\nrun x\r\nFROM one\n# c\nRUN y\nFROM b\nCMD z\n"
    )
    _facts(tree)  # computed, so each edit carries them over
    tree.skeleton_cache["probe"] = 1
    one, run_x, cmd_z = tree.stages[0].from_, tree.stages[0].instructions[0], tree.instructions[-1]
    edits = [
        lambda t: t.insert_after(one, [_ins("ENV A=1\r\n")]),
        lambda t: t.insert_before(t.stages[1].from_, [_ins("run w\n")]),
        lambda t: t.remove(run_x),
        lambda t: t.replace(cmd_z, [cst.Comment("# gone", "\n")]),
        lambda t: t.insert_before(t.instructions[0], [_ins("ARG W=2\n")]),
    ]
    for edit in edits:
        tree = edit(tree)
        assert _facts(tree) == _facts(dockerfix.parse(tree.code))
    assert "probe" not in tree.skeleton_cache  # an edit above the first FROM drops it
