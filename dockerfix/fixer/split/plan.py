"""A split as data (``Plan``, ``Group``) and the edit that carries it out on the tree."""

from __future__ import annotations

from dockerfix import cst
from dockerfix.facts.buildsteps import leading_comments
from dockerfix.fixer.base import RuleContext
from dockerfix.fixer.style import new_instruction

__all__ = ["Group", "Plan", "apply_plan"]


class Group:
    """An instruction that goes to the runtime stage, with the comments above it."""

    __slots__ = ("comments", "instruction", "keep_in_builder", "new")

    def __init__(
        self,
        instruction: cst.Instruction,
        comments: list[cst.Comment],
        new: cst.Instruction | None = None,
        keep_in_builder: bool = False,
    ) -> None:
        self.instruction = instruction
        self.comments = comments
        self.new = new  # replacement text (copies, rewritten lines)
        self.keep_in_builder = keep_in_builder


class Plan:
    """How to split the stage: the named builder ``FROM`` and the runtime stage's lines."""

    __slots__ = (
        "binary",
        "builder_name",
        "from_",
        "groups",
        "new_from",
        "notes",
        "runtime_binary",
        "runtime_image",
        "runtime_lines",
        "start",
        "start_removed",
    )

    def __init__(
        self,
        builder_name: str,
        from_: cst.Instruction,
        new_from: cst.Instruction,
        runtime_lines: list[str],
        groups: list[Group],
        start: list[tuple[cst.Instruction | None, tuple[str, str]]],
        start_removed: list[cst.Instruction],
        notes: list[str],
        binary: str,
        runtime_binary: str,
        runtime_image: str,
    ) -> None:
        self.builder_name = builder_name
        self.from_ = from_
        self.new_from = new_from
        self.runtime_lines = runtime_lines
        self.groups = groups
        self.start = start  # (replaced, (keyword, args))
        self.start_removed = start_removed
        self.notes = notes
        self.binary = binary
        self.runtime_binary = runtime_binary
        self.runtime_image = runtime_image  # the configured one, or its cc variant for cgo


def _with_newline(node: cst.BodyNode, newline: str) -> cst.BodyNode:
    """``node`` ending with a line break (heredoc bodies included)."""
    if node.code.endswith("\n"):
        return node
    if isinstance(node, cst.Instruction) and node.heredoc_bodies:
        bodies = list(node.heredoc_bodies)
        bodies[-1] = bodies[-1].with_changes(newline=newline)
        return node.with_changes(heredoc_bodies=tuple(bodies))
    return node.with_changes(newline=newline)


def apply_plan(tree: cst.Dockerfile, ctx: RuleContext, plan: Plan) -> cst.Dockerfile:
    """The tree split as ``plan`` says, every replaced or removed node touched in ``ctx``."""
    newline = tree.newline
    spacious = any(isinstance(n, cst.BlankLine) for n in tree.body)
    removed: set[int] = set()
    moved_groups: list[tuple[list[cst.Comment], cst.BodyNode]] = []
    for group in plan.groups:
        if not group.keep_in_builder:
            removed.add(id(group.instruction))
            removed.update(id(c) for c in group.comments)
            ctx.touch(group.instruction, *group.comments)
            moved_groups.append((list(group.comments), group.new or group.instruction))
        else:
            assert group.new is not None, "a line kept in the builder is copied as a new node"
            moved_groups.append(([], group.new))
    start_comments: dict[int, list[cst.Comment]] = {}
    for start_node in plan.start_removed:
        above = leading_comments(tree, start_node)
        start_comments[id(start_node)] = above
        removed.add(id(start_node))
        removed.update(id(c) for c in above)
        ctx.touch(start_node, *above)
    # the builder: what is left, with blank lines collapsed where lines went away
    builder: list[cst.BodyNode] = []
    gap = False
    for node in tree.body:
        if id(node) in removed:
            gap = True
            continue
        if node is plan.from_ and plan.new_from is not plan.from_:
            ctx.touch(node)
            builder.append(plan.new_from)
            gap = False
            continue
        if (
            gap
            and isinstance(node, cst.BlankLine)
            and builder
            and isinstance(builder[-1], cst.BlankLine)
        ):
            ctx.touch(node)
            continue
        builder.append(node)
        gap = False
    while gap and builder and isinstance(builder[-1], cst.BlankLine):
        ctx.touch(builder.pop())
    if builder and not builder[-1].code.endswith("\n"):
        last = builder[-1]
        ctx.touch(last)
        builder[-1] = _with_newline(last, newline)
    runtime: list[cst.BodyNode] = []
    if spacious and builder and not isinstance(builder[-1], cst.BlankLine):
        runtime.append(cst.BlankLine("", newline))
    runtime += [new_instruction(tree, line) for line in plan.runtime_lines]
    for moved_comments, moved in moved_groups:
        if spacious and moved_comments:
            runtime.append(cst.BlankLine("", newline))
        runtime += moved_comments
        runtime.append(_with_newline(moved, newline))
    first = True
    for original, (keyword, argv) in plan.start:
        above = start_comments.get(id(original), []) if original is not None else []
        if spacious and above and first:
            runtime.append(cst.BlankLine("", newline))
        runtime += above
        runtime.append(new_instruction(tree, f"{keyword} {argv}"))
        first = False
    if not tree.code.endswith("\n") and runtime:
        final = runtime[-1]
        assert isinstance(final, cst.Instruction)
        runtime[-1] = final.with_changes(newline="")
    return tree.with_changes(body=tuple(builder + runtime))
