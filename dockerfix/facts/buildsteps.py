"""The Go steps of each build stage, as the dependency, cgo and stripping rules see them.

A *step* is one ``go`` command found in a ``RUN`` of a stage: in its shell text (with the
offset of that text in the instruction's logical line, so one flag can be edited in place),
in a heredoc body, or in an exec-form argument list (both not editable in place). Stages
are followed through their parents (``FROM builder AS release``): ``ENV`` and what a parent
installed are inherited, ``ARG`` and inline assignments are not.

Nothing here edits a tree; the rules do.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator

from dockerfix import cst
from dockerfix.facts import gocmd, gofacts
from dockerfix.facts.shellwords import quote_word
from dockerfix.record import Record

__all__ = [
    "GoStep",
    "ancestors",
    "body_indent",
    "compiles",
    "descendants",
    "downloads_modules",
    "go_steps",
    "inherited_env",
    "is_remote_install",
    "leading_comments",
    "lineage_env",
    "mentions",
    "parent_stage",
    "produces_binary",
    "stage_scripts",
]


class GoStep(Record):
    """One ``go`` command in a ``RUN`` of a stage.

    ``script`` is the text the command's offsets refer to; ``offset`` is where that text
    starts in the instruction's logical line, or None when it cannot be edited in place.
    ``where`` is ``shell`` (the RUN's shell text), ``heredoc`` or ``exec`` (exec form).
    """

    instruction: cst.Instruction
    command: gocmd.GoCommand
    script: str
    offset: int | None
    where: str

    @property
    def editable(self) -> bool:
        """True when the command can be edited in the instruction's logical line."""
        return self.where == "shell" and self.offset is not None


def _instruction_steps(ins: cst.Instruction) -> Iterator[GoStep]:
    if ins.name != "RUN":
        return
    if ins.is_exec_form:
        text = " ".join(quote_word(a) for a in ins.args)
        for cmd in gocmd.find_go_commands(text):
            yield GoStep(ins, cmd, text, None, "exec")
        return
    text = ins.shell_text or ""
    span = ins.shell_text_span
    for cmd in gocmd.find_go_commands(text):
        yield GoStep(ins, cmd, text, span[0] if span else None, "shell")
    for heredoc in ins.heredocs:
        body = heredoc.content
        for cmd in gocmd.find_go_commands(body):
            yield GoStep(ins, cmd, body, None, "heredoc")


#: Go steps per instruction (instructions are immutable; an edit makes a new one), kept
#: without the instruction itself: a value referring to its key would keep it alive.
_STEPS: weakref.WeakKeyDictionary[
    cst.Instruction, tuple[tuple[gocmd.GoCommand, str, int | None, str], ...]
] = weakref.WeakKeyDictionary()


def instruction_steps(ins: cst.Instruction) -> list[GoStep]:
    """The Go steps of one instruction, computed once per instruction object."""
    found = _STEPS.get(ins)
    if found is None:
        found = _STEPS[ins] = tuple(
            (s.command, s.script, s.offset, s.where) for s in _instruction_steps(ins)
        )
    return [GoStep(ins, *rest) for rest in found]


def go_steps(stage: cst.Stage) -> list[GoStep]:
    """Every ``go`` command run by the stage's own ``RUN`` instructions, in order."""
    steps: list[GoStep] = []
    for ins in stage.instructions:
        if ins.name == "RUN":
            steps.extend(instruction_steps(ins))
    return steps


def stage_scripts(stage: cst.Stage) -> list[str]:
    """The logical lines and heredoc bodies of the stage's instructions."""
    out: list[str] = []
    for ins in stage.instructions:
        out.append(ins.logical)
        out.extend(body.content for body in ins.heredoc_bodies)
    return out


def is_remote_install(cmd: gocmd.GoCommand) -> bool:
    """``go install pkg@version``: a tool from the network, not the project being built."""
    return cmd.subcommand == "install" and any("@" in p for p in cmd.packages)


def compiles(cmd: gocmd.GoCommand) -> bool:
    """``go build``, or ``go install`` of the project's own packages."""
    if cmd.subcommand == "build":
        return True
    return cmd.subcommand == "install" and not is_remote_install(cmd)


def produces_binary(cmd: gocmd.GoCommand) -> bool:
    """A compile that writes a program: not ``-o /dev/null``, not a bare ``go build ./...``."""
    if not compiles(cmd):
        return False
    out = cmd.output
    if out is not None and out.strip() in ("/dev/null", "NUL"):
        return False
    return not (cmd.subcommand == "build" and out is None and any("..." in p for p in cmd.packages))


def downloads_modules(cmd: gocmd.GoCommand) -> bool:
    """``go mod download``."""
    return cmd.subcommand == "mod download"


class _Lineage:
    """The stages' parents and descendants in one tree, computed once (trees are immutable)."""

    __slots__ = ("_descendants", "parents")

    def __init__(self, tree: cst.Dockerfile) -> None:
        stages = tree.stages
        # the last earlier stage of each name: what a later FROM <name> refers to
        by_name: dict[str, int] = {}
        self.parents: list[int | None] = []
        for stage in stages:
            self.parents.append(by_name.get(gofacts.stage_image(tree, stage).lower()))
            if stage.name:
                by_name[stage.name.lower()] = stage.index
        self._descendants: list[list[int]] | None = None

    def ancestors(self, index: int) -> list[int]:
        out: list[int] = []
        current = self.parents[index]
        while current is not None and current not in out:
            out.append(current)
            current = self.parents[current]
        return out

    def descendants(self, index: int) -> list[int]:
        if self._descendants is None:
            self._descendants = [[] for _ in self.parents]
            for later in range(len(self.parents)):
                for anc in self.ancestors(later):
                    self._descendants[anc].append(later)
        return self._descendants[index]


def _lineage(tree: cst.Dockerfile) -> _Lineage:
    # from the FROM lines and global ARGs only: kept across edits that change neither
    cache = tree.skeleton_cache
    found = cache.get("buildsteps.lineage")
    if found is None:
        found = cache["buildsteps.lineage"] = _Lineage(tree)
    assert isinstance(found, _Lineage)
    return found


def _of_tree(tree: cst.Dockerfile, stage: cst.Stage) -> bool:
    stages = tree.stages
    return 0 <= stage.index < len(stages) and stages[stage.index] is stage


def parent_stage(tree: cst.Dockerfile, stage: cst.Stage) -> cst.Stage | None:
    """The earlier stage that ``stage`` is built ``FROM``, if any."""
    if not _of_tree(tree, stage):  # made up by the caller: look it up the long way
        image = gofacts.stage_image(tree, stage).lower()
        for earlier in reversed(tree.stages[: stage.index]):
            if earlier.name and earlier.name.lower() == image:
                return earlier
        return None
    parent = _lineage(tree).parents[stage.index]
    return None if parent is None else tree.stages[parent]


def ancestors(tree: cst.Dockerfile, stage: cst.Stage) -> list[cst.Stage]:
    """The stages ``stage`` is built on, nearest first."""
    out: list[cst.Stage] = []
    current = parent_stage(tree, stage)
    if current is not None and _of_tree(tree, current):
        stages = tree.stages
        return [current, *(stages[i] for i in _lineage(tree).ancestors(current.index))]
    while current is not None and current not in out:
        out.append(current)
        current = parent_stage(tree, current)
    return out


def descendants(tree: cst.Dockerfile, stage: cst.Stage) -> list[cst.Stage]:
    """The later stages built on ``stage``, directly or through others."""
    if _of_tree(tree, stage):
        stages = tree.stages
        return [stages[i] for i in _lineage(tree).descendants(stage.index)]
    out: list[cst.Stage] = []
    for later in tree.stages[stage.index + 1 :]:
        if any(a.index == stage.index for a in ancestors(tree, later)):
            out.append(later)
    return out


def inherited_env(tree: cst.Dockerfile, stage: cst.Stage) -> dict[str, str]:
    """``ENV`` values the stage inherits from the stages it is built on."""
    env: dict[str, str] = {}
    for anc in reversed(ancestors(tree, stage)):
        envs = tuple(i for i in anc.instructions if i.name == "ENV")
        env.update(gofacts.stage_env(cst.Stage(anc.index, anc.from_, envs)))
    return env


def lineage_env(
    tree: cst.Dockerfile, stage: cst.Stage, upto: cst.Instruction | None = None
) -> dict[str, str]:
    """Inherited ``ENV`` plus the stage's own ``ENV``/``ARG`` values before ``upto``."""
    env = inherited_env(tree, stage)
    env.update(gofacts.stage_facts(tree, stage).declared(upto))
    return env


def body_indent(stage: cst.Stage) -> str:
    """The indentation new instructions of the stage should get."""
    return stage.instructions[0].indent if stage.instructions else stage.from_.indent


def leading_comments(tree: cst.Dockerfile, node: cst.Instruction) -> list[cst.Comment]:
    """The comment lines directly above ``node`` (no blank line between), in order."""
    body = tree.body
    index = tree.index(node)
    out: list[cst.Comment] = []
    i = index - 1
    while i >= 0 and isinstance(body[i], cst.Comment):
        comment = body[i]
        assert isinstance(comment, cst.Comment)
        out.insert(0, comment)
        i -= 1
    return out


_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def mentions(texts: list[str], *names: str) -> bool:
    """True when any of ``names`` appears as a whole word in ``texts``."""
    wanted = set(names)
    return any(m.group(0) in wanted for t in texts for m in _WORD_RE.finditer(t))
