"""The stage considered for the split, the facts every check reads, and ``Blocked``."""

from __future__ import annotations

import functools

from dockerfix import cst
from dockerfix.facts import gofacts
from dockerfix.facts.context import BuildContext
from dockerfix.fixer.base import RuleContext

__all__ = ["Blocked", "Candidate", "shown"]


class Blocked(Exception):
    """The split is unsafe: ``node`` is where, ``reason`` says why and what to do."""

    def __init__(self, node: cst.Instruction, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


def shown(ins: cst.Instruction, limit: int = 60) -> str:
    """The instruction on one line, cut to ``limit`` characters, for messages."""
    text = " ".join(ins.logical.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Candidate:
    """The single stage considered for the split, with what the checks read.

    ``notes`` collects, in order, what the diagnostic of a successful split will say.
    """

    def __init__(self, tree: cst.Dockerfile, ctx: RuleContext, stage: cst.Stage) -> None:
        self.tree = tree
        self.ctx = ctx
        self.stage = stage
        self.from_ = stage.from_
        #: the stage's variables, working directory... before each of its instructions
        self.facts = gofacts.stage_facts(tree, stage)
        self.image = self.facts.image
        self.runtime = ctx.options.runtime_image
        self.static_runtime = gofacts.is_static_runtime(self.runtime)
        self.scratch = gofacts.image_repository(self.runtime) == "scratch"
        self.bc: BuildContext | None = ctx.build_context
        self.module_path = self.bc.module_path if self.bc is not None else None
        self.notes: list[str] = []

    @functools.cached_property
    def builds(self) -> list[gofacts.GoBuild]:
        """Every ``go build``/``go install`` of the stage, remote tools included, in order."""
        packages = self.bc.module_packages if self.bc is not None else None
        return gofacts.go_builds(self.tree, self.module_path, self.stage, packages)

    @functools.cached_property
    def last_build_index(self) -> int:
        """The index in the stage's instructions of the RUN with the last build."""
        last = self.builds[-1].instruction
        return next(i for i, ins in enumerate(self.stage.instructions) if ins is last)

    def shown(self, ins: cst.Instruction, limit: int = 60) -> str:
        """The instruction as the user wrote it (before other rules' edits), for messages."""
        return shown(self.ctx.as_written(ins), limit)

    def written_command(self, build: gofacts.GoBuild) -> str:
        """The build's go command as the user wrote it, on one line, for messages."""
        return " ".join(self.ctx.written_command(build.instruction, build.command.raw).split())

    def line(self, node: cst.Instruction) -> int:
        """The line number of one of the stage's instructions."""
        return self.tree.position(node).line
