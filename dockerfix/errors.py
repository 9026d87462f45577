"""The errors dockerfix raises for bad input."""

from __future__ import annotations


class ParseError(ValueError):
    """The input is not a Dockerfile BuildKit would accept.

    ``line`` and ``column`` are 1-based; ``end_line`` is the last line of the
    instruction involved, when there is one.
    """

    def __init__(self, message: str, line: int, column: int = 1, end_line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.end_line = end_line if end_line is not None else line

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"

    def located(self, path: str) -> str:
        """The message as ``PATH:LINE:COL: message``."""
        return f"{path}:{self.line}:{self.column}: {self.message}"
