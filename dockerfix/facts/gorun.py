"""The ``go`` commands of ``RUN`` instructions, for rules that edit their flags or the RUN.

Used by the opt-in builder rules (DFX101-DFX104). Every command comes with the offset of
the shell text it was found in, inside the instruction's logical line, so that a rule can
edit one word in place with ``Instruction.replace_span``; commands in heredoc bodies have
no offset (they cannot be edited that way).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dockerfix import cst
from dockerfix.facts import gocmd, gofacts, stagegraph
from dockerfix.record import Record

__all__ = [
    "GoRun",
    "apply_replacements",
    "go_runs",
    "go_version",
    "goflags_value",
    "stage_go_version",
]


class GoRun(Record):
    """One ``go`` command of a shell-form ``RUN``.

    ``offset`` is where ``script`` starts in the instruction's logical line (None for a
    heredoc body); the command's offsets are into ``script``.
    """

    stage: cst.Stage
    instruction: cst.Instruction
    command: gocmd.GoCommand
    script: str
    offset: int | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """``(start, end)`` in ``script`` made logical-line offsets (requires ``offset``)."""
        assert self.offset is not None
        return self.offset + start, self.offset + end


def go_runs(tree: cst.Dockerfile, stage: cst.Stage | None = None) -> list[GoRun]:
    """Every ``go`` command in the shell-form ``RUN``s of the file (or of one stage)."""
    out: list[GoRun] = []
    for st in (stage,) if stage is not None else tree.stages:
        for ins in st.instructions:
            for script, offset in gofacts.run_scripts(ins):
                for command in gocmd.find_go_commands(script):
                    out.append(GoRun(st, ins, command, script, offset))
    return out


_VERSION = re.compile(r"^(\d+)\.(\d+)")


def go_version(image: str) -> tuple[int, int] | None:
    """The Go version of a ``golang`` image from its tag (``1.21-alpine`` → (1, 21))."""
    if not gofacts.is_go_image(image):
        return None
    m = _VERSION.match(gofacts.image_tag(image))
    return (int(m.group(1)), int(m.group(2))) if m else None


def stage_go_version(tree: cst.Dockerfile, stage: cst.Stage) -> tuple[int, int] | None:
    """The Go version of the toolchain image at the root of ``stage``'s chain, if known."""
    return go_version(stagegraph.root_image(tree, stage))


def goflags_value(run: GoRun, env: dict[str, str]) -> str:
    """``GOFLAGS`` for the command: inline, exported earlier in the script, or ``ENV``/``ARG``."""
    if "GOFLAGS" in run.command.env:
        return run.command.env["GOFLAGS"]
    exported = gocmd.exported_env(run.script[: run.command.start])
    if "GOFLAGS" in exported:
        return exported["GOFLAGS"]
    return env.get("GOFLAGS", "")


def apply_replacements(
    ins: cst.Instruction, replacements: Sequence[tuple[int, int, str]]
) -> cst.Instruction:
    """``ins`` with each logical-line span ``(start, end)`` replaced, last first."""
    for start, end, text in sorted(replacements, key=lambda r: (r[0], r[1]), reverse=True):
        ins = ins.replace_span(start, end, text)
    return ins
