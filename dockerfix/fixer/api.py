"""``dockerfix.fix``: text in, fixed text and diagnostics out. Pure: prints and writes nothing."""

from __future__ import annotations

import os
from collections.abc import Iterable

from dockerfix.fixer.base import (
    DEFAULT_RUNTIME_IMAGE,
    Diagnostic,
    FixOptions,
    rules_applied,
    rules_skipped,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from dockerfix.cst import Dockerfile


class FixResult:
    """The outcome of fixing one file.

    ``text`` is the new text (the input itself when nothing changed or an
    internal error occurred); ``created_files`` maps paths relative to the
    build context's folder to the content of files the fixer asks to create;
    ``internal_error`` is set when a rule's output failed the safety checks.
    """

    __slots__ = ("created_files", "diagnostics", "internal_error", "source", "text")

    def __init__(
        self,
        text: str,
        diagnostics: list[Diagnostic] | None = None,
        created_files: dict[str, str] | None = None,
        internal_error: str | None = None,
        source: str = "",
    ) -> None:
        self.text = text
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        self.created_files: dict[str, str] = {} if created_files is None else created_files
        self.internal_error = internal_error
        self.source = source

    @property
    def changed(self) -> bool:
        """True when the text differs from the input."""
        return self.text != self.source

    @property
    def rules_applied(self) -> list[str]:
        """Codes of the rules that fixed something."""
        return rules_applied(self.diagnostics)

    @property
    def rules_skipped(self) -> dict[str, list[str]]:
        """Rule code -> reasons it declined to fix something."""
        return rules_skipped(self.diagnostics)


def make_options(
    *,
    runtime_image: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    context: str | os.PathLike[str] | None = None,
) -> FixOptions:
    """``FixOptions`` from keyword arguments, validating rule names."""
    from dockerfix.fixer.registry import resolve

    sel = frozenset(resolve(set(select))) if select is not None else None
    ign = frozenset(resolve(set(ignore))) if ignore else frozenset()
    return FixOptions(
        runtime_image=runtime_image or DEFAULT_RUNTIME_IMAGE,
        select=sel,
        ignore=ign,
        context=os.fspath(context) if context is not None else None,
    )


def fix(text: str, path: str | os.PathLike[str] | None = None, **options: Any) -> FixResult:
    """Fix Dockerfile ``text``.

    ``path`` is where the Dockerfile lives; options are ``runtime_image``, ``select``,
    ``ignore`` and ``context`` (the build context folder; default: the Dockerfile's).
    Raises ``dockerfix.ParseError`` when the input is not a valid Dockerfile.
    """
    from dockerfix.grammar.parser import parse

    opts = options.pop("fix_options", None) or make_options(**options)
    return fix_tree(parse(text), text, path, opts)


def fix_tree(
    tree: Dockerfile, text: str, path: str | os.PathLike[str] | None, opts: FixOptions
) -> FixResult:
    """``fix`` of a tree already parsed from ``text`` (the runner parses once)."""
    from dockerfix.fixer.pipeline import InternalError, run
    from dockerfix.fixer.registry import selected_rules

    rules = selected_rules(opts.select, opts.ignore)
    file_path = os.fspath(path) if path is not None else None
    try:
        outcome = run(tree, rules, path=file_path, options=opts)
    except InternalError as exc:
        return FixResult(text=text, internal_error=str(exc), source=text)
    return FixResult(
        text=outcome.tree.code,
        diagnostics=outcome.diagnostics,
        created_files=outcome.created_files,
        source=text,
    )
