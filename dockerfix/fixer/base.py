"""What every rule is made of: diagnostics, the rule base class, its context and examples.

A rule is a class with a stable ``code`` (``DFX001``), a kebab-case ``name``,
a docstring with the sections *What it does*, *Why*, *Fix safety* and
*Example*, and ``VALID``/``INVALID`` examples that run as tests. Its
``apply`` takes a tree and returns a new one, reporting through the context
every instruction it changed or declined to change, and why.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence

from dockerfix import cst
from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from dockerfix.facts.context import BuildContext

DEFAULT_RUNTIME_IMAGE = "gcr.io/distroless/static-debian13"


class Diagnostic(Record):
    """One finding: a rule, a place, a message, and whether it was fixed (or why not)."""

    code: str
    name: str
    message: str
    line: int
    column: int
    end_line: int
    fixed: bool
    reason: str | None = None
    #: what an applied fix changes on purpose, or could not check (also in ``message``)
    caveats: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """A plain dict, for JSON output."""
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "fixed": self.fixed,
            "reason": self.reason,
            "caveats": list(self.caveats),
        }


def rules_applied(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """Codes of the rules that fixed something."""
    return sorted({d.code for d in diagnostics if d.fixed})


def rules_skipped(diagnostics: Sequence[Diagnostic]) -> dict[str, list[str]]:
    """Rule code -> the reasons it gave for not fixing something."""
    out: dict[str, list[str]] = {}
    for d in diagnostics:
        if not d.fixed:
            out.setdefault(d.code, []).append(d.reason or d.message)
    return out


class FixOptions(Record):
    """Settings that change what the rules do."""

    runtime_image: str = DEFAULT_RUNTIME_IMAGE
    select: frozenset[str] | None = None  # codes; None means the default set
    ignore: frozenset[str] = frozenset()
    context: str | None = None  # the build context folder (None: the Dockerfile's folder)
    context_unknown: bool = False  # no one context (several declared): rules read none
    #: the other Dockerfiles built with the same context (absolute paths)
    shared_with: tuple[str, ...] = ()


class Valid(Record):
    """An example the rule must leave unchanged (and report nothing fixed on)."""

    code: str
    path: str | None = None  # build context: a dict of files is in ``files``
    files: tuple[tuple[str, str], ...] = ()
    options: tuple[tuple[str, str], ...] = ()


class Invalid(Record):
    """An example the rule must rewrite into ``expected`` (None: reported, not fixed)."""

    code: str
    expected: str | None
    files: tuple[tuple[str, str], ...] = ()
    options: tuple[tuple[str, str], ...] = ()


class RuleContext:
    """What a rule sees besides the tree: options, the build context, the report sink."""

    def __init__(
        self,
        *,
        path: str | None,
        options: FixOptions,
        original: cst.Dockerfile,
    ) -> None:
        self.path = path
        self.options = options
        self.original = original
        self.diagnostics: list[Diagnostic] = []
        self.touched: set[int] = set()
        self.created_files: dict[str, str] = {}
        self._rule: Rule | None = None
        self._tree: cst.Dockerfile = original

    @functools.cached_property
    def build_context(self) -> BuildContext | None:
        """Facts about the build context (``options.context``, else the Dockerfile's folder),
        or None when neither is known."""
        from dockerfix.facts.contextcache import context_of

        if self.options.context_unknown:
            return None
        if self.options.context is not None:
            return context_of(os.path.abspath(self.options.context))
        if self.path is None:
            return None
        return context_of(os.path.dirname(os.path.abspath(self.path)))

    # -- used by the pipeline -------------------------------------------------
    def begin(self, rule: Rule, tree: cst.Dockerfile) -> None:
        """Start a rule's pass over ``tree``."""
        self._rule = rule
        self._tree = tree

    # -- used by rules ------------------------------------------------------------
    def suppressed(self, node: cst.Instruction) -> bool:
        """True when a ``# dockerfix: ignore=CODE`` comment above ``node`` names this rule."""
        assert self._rule is not None
        return self._rule.code in suppressions_for(self._tree, node)

    def touch(self, *nodes: cst.Node) -> None:
        """Declare nodes this rule replaces or removes (checked by the safety net)."""
        for node in nodes:
            self.touched.add(id(node))

    def report(
        self,
        node: cst.Instruction | cst.Dockerfile,
        message: str,
        *,
        fixed: bool,
        reason: str | None = None,
        caveats: Sequence[str] = (),
    ) -> None:
        """Record a diagnostic about ``node`` (an instruction of the current tree).

        ``caveats`` are what an applied fix changes on purpose or could not check; every
        way out shows them (stderr beside a diff, a write or stdin; JSON; SARIF).
        """
        rule = self._rule
        assert rule is not None
        line, column, end_line = self._position(node)
        self.diagnostics.append(
            Diagnostic(
                rule.code,
                rule.name,
                message,
                line,
                column,
                end_line,
                fixed,
                reason,
                tuple(caveats),
            )
        )

    def create_file(self, relative: str, content: str) -> None:
        """Ask for a new file at the root of the build context (written only with ``--write``)."""
        self.created_files[relative] = content

    def as_written(self, node: cst.Instruction) -> cst.Instruction:
        """The instruction of the original text that ``node`` (of the current tree) is.

        ``node`` itself when untouched; for one an earlier rule rewrote, the original it
        replaced, when that is the same instruction (a ``RUN`` that got ``-ldflags``): so
        messages quote the user's command as written, not the rewritten one.
        """
        counterpart = self._counterpart(node)
        if isinstance(counterpart, cst.Instruction) and counterpart.name == node.name:
            return counterpart
        return node

    def written_command(self, ins: cst.Instruction, raw: str) -> str:
        """The go command ``raw`` of ``ins`` as the original text has it (see ``as_written``).

        Matched by its place among the instruction's go commands; ``raw`` itself when the
        instruction is untouched or its go commands are not the same number any more.
        """
        original = self.as_written(ins)
        if original is ins:
            return raw
        from dockerfix.facts.gocmd import find_go_commands

        now = [c.raw for c in find_go_commands(ins.shell_text or "")]
        before = [c.raw for c in find_go_commands(original.shell_text or "")]
        if raw in now and len(now) == len(before):
            return before[now.index(raw)]
        return raw

    def _counterpart(self, node: cst.BodyNode) -> cst.BodyNode | None:
        """The line-level node of the original text where ``node`` of the current tree is.

        The node itself when the original has it; else the original node after the nearest
        earlier one both trees share: the one ``node`` replaced, or the one it was inserted
        before (the last one when inserted at the end). None when ``node`` is in neither.
        """
        where = self._original_places
        if id(node) in where:
            return node
        try:
            index = self._tree.index(node)
        except ValueError:
            return None
        body = self._tree.body
        j = index - 1
        while j >= 0 and id(body[j]) not in where:
            j -= 1
        original = self.original.body
        if not original:
            return None
        start = where[id(body[j])] + 1 if j >= 0 else 0
        return original[min(start, len(original) - 1)]

    @functools.cached_property
    def _original_places(self) -> dict[int, int]:
        return {id(n): i for i, n in enumerate(self.original.body)}

    def _position(self, node: cst.Instruction | cst.Dockerfile) -> tuple[int, int, int]:
        """Where ``node`` is in the original text (see ``_counterpart``), never past its end."""
        if isinstance(node, cst.Dockerfile):
            return 1, 1, 1
        counterpart = self._counterpart(node)
        if counterpart is None:
            return 1, 1, 1
        pos = self.original.position(counterpart)
        if counterpart is not node:
            return pos.line, 1, pos.line
        return pos.line, pos.column, pos.end_line


SUPPRESS_PREFIX = "dockerfix:"


_CODES = re.compile(r"[\w-]+(?:\s*,\s*[\w-]+)*")


def _comment_directives(text: str) -> tuple[str, str] | None:
    body = text.strip().lstrip("#").strip()
    if not body.startswith(SUPPRESS_PREFIX):
        return None
    rest = body[len(SUPPRESS_PREFIX) :].strip()
    key, _, value = rest.partition("=")
    # the codes, then (after a space) anything: a reason (``ignore=DFX006 runs as root``)
    codes = _CODES.match(value.strip())
    return key.strip(), codes.group() if codes else ""


def suppressions_for(tree: cst.Dockerfile, node: cst.Instruction) -> frozenset[str]:
    """Rule codes (and names) switched off for ``node`` by comments right above it."""
    body = tree.body
    try:
        index = tree.index(node)
    except ValueError:
        return frozenset()
    found: set[str] = set()
    i = index - 1
    while i >= 0 and isinstance(body[i], cst.Comment):
        comment = body[i]
        assert isinstance(comment, cst.Comment)
        parsed = _comment_directives(comment.text)
        if parsed and parsed[0] == "ignore":
            found.update(c.strip() for c in parsed[1].split(",") if c.strip())
        i -= 1
    return frozenset(found)


def file_suppressions(tree: cst.Dockerfile) -> frozenset[str] | None:
    """What ``# dockerfix: ignore-file`` comments switch off in the whole file.

    None when one without codes turns the file off; else the rule codes (and names) of
    ``# dockerfix: ignore-file=CODE,...`` (empty when there is none).
    """
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, (cst.Comment, cst.Directive)):
            parsed = _comment_directives(node.text)
            if parsed and parsed[0] == "ignore-file":
                if not parsed[1]:
                    return None
                found.update(c.strip() for c in parsed[1].split(",") if c.strip())
    return frozenset(found)


class Rule:
    """Base class of the fixer rules.

    Subclasses set ``code``, ``name``, ``summary``, ``VALID``, ``INVALID`` and
    implement ``apply``. ``default`` is False for opt-in rules.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    default: ClassVar[bool] = True
    VALID: ClassVar[Sequence[Valid]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Return the tree with this rule's fixes applied, reporting through ``ctx``."""
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        """The rule's documentation (its docstring, dedented)."""
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")
