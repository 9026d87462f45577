"""dockerfix: rewrite Go Dockerfiles into the recommended production form, losslessly.

Public API::

    tree = dockerfix.parse(text)          # lossless CST; tree.code == text
    result = dockerfix.fix(text, path)    # result.text, result.diagnostics

Heavy modules (lark, the fixer rules) are imported on first use.
"""

from __future__ import annotations

from dockerfix.errors import ParseError

__version__ = "0.1.0"

__all__ = ["Dockerfile", "ParseError", "__version__", "fix", "parse"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from dockerfix.cst import Dockerfile
    from dockerfix.fixer.api import FixResult


def parse(text: str) -> Dockerfile:
    """Parse Dockerfile text into a lossless tree (``tree.code == text``).

    Raises ``ParseError`` (with line and column) for input BuildKit rejects.
    """
    from dockerfix.grammar.parser import parse as _parse

    return _parse(text)


def fix(text: str, path: str | None = None, **options: Any) -> FixResult:
    """Fix Dockerfile ``text``; ``path`` locates the build context. Returns text and diagnostics."""
    from dockerfix.fixer.api import fix as _fix

    return _fix(text, path, **options)


def __getattr__(name: str) -> Any:
    if name == "Dockerfile":
        from dockerfix.cst import Dockerfile

        return Dockerfile
    raise AttributeError(name)
