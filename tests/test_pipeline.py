"""The pipeline's safety net catches rules that misbehave, and keeps the original."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerfix
from dockerfix import cst
from dockerfix.fixer import pipeline
from dockerfix.fixer.base import Rule, RuleContext

SOURCE = 'FROM golang:1.23\nRUN go build -o /app .\nCMD ["/app"]\n'


class _Base(Rule):
    code = "DFX900"
    name = "test-rule"
    summary = "test"


class MergesLines(_Base):
    """Drops a newline so two instructions become one."""

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        run = tree.instructions[1]
        if run.newline == "":
            return tree
        ctx.touch(run)
        ctx.report(run, "x", fixed=True)
        return tree.replace(run, run.with_changes(newline=""))


class RemovesSilently(_Base):
    """Removes a line without declaring it."""

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        if len(tree.instructions) < 3:
            return tree
        return tree.remove(tree.instructions[2])


class NeverSettles(_Base):
    """Appends a line every round."""

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        ctx.report(tree.instructions[0], "x", fixed=True)
        return tree.append([dockerfix.parse("LABEL x=y\n").instructions[0]])


class Reorders(_Base):
    """Moves the CMD above the RUN without declaring either."""

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        first, run, cmd = tree.body[:3]
        if not (isinstance(run, cst.Instruction) and run.name == "RUN"):
            return tree
        ctx.report(tree.instructions[0], "x", fixed=True)
        return tree.with_changes(body=(first, cmd, run, *tree.body[3:]))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (MergesLines(), "different instructions"),
        (RemovesSilently(), "no rule reported"),
        (NeverSettles(), "did not settle"),
        (Reorders(), "order"),
    ],
)
def test_safety_net(rule: Rule, message: str) -> None:
    with pytest.raises(pipeline.InternalError, match=message):
        pipeline.run(dockerfix.parse(SOURCE), [rule])


def test_fix_keeps_the_original_on_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from dockerfix.fixer import registry

    monkeypatch.setattr(registry, "selected_rules", lambda *a, **k: [MergesLines()])
    result = dockerfix.fix(SOURCE)
    assert result.text == SOURCE
    assert result.internal_error is not None
    assert not result.changed


def test_ignore_file_comment_turns_everything_off() -> None:
    text = "# dockerfix: ignore-file\n" + SOURCE.replace('["/app"]', "/app --x")
    assert dockerfix.fix(text).text == text


def test_ignore_file_with_codes_turns_those_rules_off_in_the_file() -> None:
    text = "# dockerfix: ignore-file=DFX005,binary-not-stripped\n" + SOURCE.replace(
        '["/app"]', "/app --x"
    )
    result = dockerfix.fix(text)
    codes = {d.code for d in result.diagnostics}
    assert "DFX005" not in codes
    assert "DFX004" not in codes
    assert "DFX001" in codes
    assert "-ldflags" not in result.text  # DFX004 did not touch the build


def test_a_split_that_counts_on_dfx003_declines_when_the_file_turns_it_off() -> None:
    text = "# dockerfix: ignore-file=DFX003\n" + SOURCE
    result = dockerfix.fix(text)
    split = next(d for d in result.diagnostics if d.code == "DFX001")
    assert not split.fixed
    assert "CGO_ENABLED" in (split.reason or "")
    assert "distroless" not in result.text


MULTI_STAGE = (
    "FROM golang:1.23 AS build\nRUN CGO_ENABLED=0 go build -o /app .\n"
    'FROM gcr.io/distroless/static-debian13\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n'
)


def test_dfx006_says_when_it_could_not_check_what_the_program_writes(tmp_path: Path) -> None:
    unknown = next(d for d in dockerfix.fix(MULTI_STAGE, select=["DFX006"]).diagnostics if d.fixed)
    assert any("build context is unknown" in c for c in unknown.caveats)
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.23\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    known = dockerfix.fix(MULTI_STAGE, tmp_path / "Dockerfile", select=["DFX006"])
    (fixed,) = [d for d in known.diagnostics if d.fixed]
    assert not fixed.caveats


def test_a_suppression_may_give_its_reason_after_the_codes() -> None:
    import dockerfix

    text = (
        "FROM golang:1.22\nWORKDIR /app\nCOPY . .\n"
        "# dockerfix: ignore=DFX004, DFX003 we debug this image\n"
        'RUN go build -o /app/server .\nCMD ["/app/server"]\n'
    )
    applied = {d.code for d in dockerfix.fix(text).diagnostics if d.fixed}
    assert not applied & {"DFX003", "DFX004"}
    assert "DFX001" not in applied  # the split would rewrite the suppressed RUN's stage


def test_diagnostics_point_into_the_original_text(tmp_path: Path) -> None:
    """Every rule reports at a line of the text as written, even for nodes others rewrote."""
    (tmp_path / "go.mod").write_text("module example.com/q\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    text = (
        "FROM golang:1.22-alpine\nWORKDIR /src\nCOPY . .\n"
        'RUN go build -o /app . && go install ./tools/...\nENTRYPOINT ["/app"]\n'
    )
    result = dockerfix.fix(
        text, tmp_path / "Dockerfile", select=["DFX0", "DFX101", "DFX102", "DFX104"]
    )
    assert result.text != text
    lines = text.count("\n")
    by_code = {d.code: d.line for d in result.diagnostics}
    assert all(1 <= d.line <= lines and d.end_line <= lines for d in result.diagnostics)
    # DFX004 rewrote the RUN of line 4 before DFX101 and DFX102 saw it
    assert by_code["DFX004"] == by_code["DFX102"] == 4


def test_a_declined_fix_quotes_the_command_as_written() -> None:
    """The split runs again on the tree DFX004 rewrote; its reason still quotes line 4."""
    text = (
        "FROM golang:1.22-alpine\nWORKDIR /src\nCOPY . .\n"
        'RUN go build -o /app ./cmd/api && go install ./cmd/...\nENTRYPOINT ["/app"]\n'
    )
    result = dockerfix.fix(text)
    assert "-ldflags" in result.text
    (split,) = [d for d in result.diagnostics if d.code == "DFX001"]
    assert split.line == 4
    assert "`go install ./cmd/...`" in (split.reason or "")
