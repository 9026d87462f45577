"""Run the rules to a fixed point, then check the result before anyone sees it.

The safety net (after black's ``--safe`` and ruff's revert-on-error): the new
text must parse again and round-trip, a second run must change nothing, and
every line-level node of the original that is gone must have been declared
touched by a rule that reported it. Otherwise the original is kept and an
internal error is reported.
"""

from __future__ import annotations

from collections.abc import Sequence

from dockerfix import cst
from dockerfix.errors import ParseError
from dockerfix.fixer.base import (
    Diagnostic,
    FixOptions,
    Rule,
    RuleContext,
    file_suppressions,
)

MAX_ROUNDS = 8


class InternalError(Exception):
    """A rule produced output that failed the safety checks (a dockerfix bug)."""


class Outcome:
    """What the pipeline made of one file."""

    __slots__ = ("created_files", "diagnostics", "tree")

    def __init__(
        self,
        tree: cst.Dockerfile,
        diagnostics: list[Diagnostic] | None = None,
        created_files: dict[str, str] | None = None,
    ) -> None:
        self.tree = tree
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        self.created_files: dict[str, str] = {} if created_files is None else created_files


def _run_rounds(
    tree: cst.Dockerfile, rules: Sequence[Rule], path: str | None, options: FixOptions
) -> tuple[cst.Dockerfile, RuleContext, list[Diagnostic]]:
    ctx = RuleContext(path=path, options=options, original=tree)
    fixed: list[Diagnostic] = []
    current = tree
    for _ in range(MAX_ROUNDS):
        ctx.diagnostics = []
        before = current
        for rule in rules:
            ctx.begin(rule, current)
            current = rule.apply(current, ctx)
        fixed.extend(d for d in ctx.diagnostics if d.fixed)
        if current.code == before.code:
            unfixed = [d for d in ctx.diagnostics if not d.fixed]
            return current, ctx, _dedupe(fixed + unfixed)
    raise InternalError(
        f"the rules did not settle after {MAX_ROUNDS} rounds: "
        + ", ".join(sorted({d.code for d in ctx.diagnostics if d.fixed}))
    )


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[object, ...]] = set()
    out: list[Diagnostic] = []
    for d in diagnostics:
        key = (d.code, d.message, d.line, d.fixed)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return sorted(out, key=lambda d: (d.line, d.column, d.code))


def run(
    tree: cst.Dockerfile,
    rules: Sequence[Rule],
    *,
    path: str | None = None,
    options: FixOptions | None = None,
) -> Outcome:
    """Apply ``rules`` to ``tree`` until nothing changes, then verify the result."""
    options = options or FixOptions()
    off = file_suppressions(tree)
    if off is None:
        return Outcome(tree)
    if off:
        rules = [r for r in rules if r.code not in off and r.name not in off]
        # rules that count on another one running (the split on DFX003) see it is off
        codes = {r.code for r in rules}
        options = options._replace(ignore=options.ignore | {c for c in off if c not in codes})
    if not rules:
        return Outcome(tree)
    new_tree, ctx, diagnostics = _run_rounds(tree, rules, path, options)
    if new_tree.code != tree.code:
        verify(tree, new_tree, ctx, rules, path, options)
    return Outcome(new_tree, diagnostics, dict(ctx.created_files))


def verify(
    original: cst.Dockerfile,
    new_tree: cst.Dockerfile,
    ctx: RuleContext,
    rules: Sequence[Rule],
    path: str | None,
    options: FixOptions,
) -> None:
    """Raise ``InternalError`` unless ``new_tree`` is safe to hand out."""
    from dockerfix.grammar.parser import parse

    code = new_tree.code
    try:
        reparsed = parse(code)
    except ParseError as exc:
        raise InternalError(f"the fixed file does not parse: {exc}") from None
    if reparsed.code != code:
        raise InternalError("the fixed file does not round-trip")
    if [n.code for n in reparsed.body] != [n.code for n in new_tree.body] or [
        i.logical for i in reparsed.instructions
    ] != [i.logical for i in new_tree.instructions]:
        # e.g. a node without a final newline followed by another: the lines merge
        raise InternalError("the fixed file parses into different instructions than intended")
    again, _, _ = _run_rounds(reparsed, rules, path, options)
    if again.code != code:
        raise InternalError("a second run changed the file again (the fix is not idempotent)")
    kept = {id(n) for n in new_tree.body}
    for node in original.body:
        if id(node) not in kept and id(node) not in ctx.touched:
            line = original.position(node).line
            raise InternalError(f"line {line} changed but no rule reported changing it")
    untouched = {id(n) for n in original.body} - ctx.touched
    untouched_in_new = [id(n) for n in new_tree.body if id(n) in untouched]
    kept_untouched = set(untouched_in_new)
    untouched_in_old = [id(n) for n in original.body if id(n) in kept_untouched]
    if untouched_in_new != untouched_in_old:
        raise InternalError("lines no rule reported changed their order")
