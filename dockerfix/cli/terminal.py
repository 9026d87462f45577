"""What a person at a terminal sees on stderr: a progress bar and a summary table.

Only used when stderr is a TTY (the caller decides); ``rich`` is imported
here and nowhere else, and only when something is actually drawn.
"""

from __future__ import annotations

from types import TracebackType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from dockerfix.cli.report import Report
    from dockerfix.runner import Outcome

#: Runs with fewer files finish before a bar would be worth drawing.
PROGRESS_MIN_FILES = 20


def _console(color: bool | None) -> Any:
    from rich.console import Console

    if color is False:
        return Console(stderr=True, no_color=True, highlight=False)
    if color is True:
        return Console(stderr=True, force_terminal=True, highlight=False)
    return Console(stderr=True, highlight=False)


class ProgressBar:
    """A transient rich progress bar over ``total`` files; ``advance`` after each one."""

    def __init__(self, total: int, *, color: bool | None = None, label: str = "dockerfix") -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}"),
            console=_console(color),
            transient=True,
        )
        self._task = self._progress.add_task(label, total=total, current="")

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def advance(self, outcome: Outcome) -> None:
        """Count one file as done."""
        self._progress.update(self._task, advance=1, current=outcome.path)


def print_summary(report: Report, *, color: bool | None = None) -> None:
    """A short table on stderr: files scanned, changed, unchanged, errors, fixes per rule."""
    from rich.table import Table

    from dockerfix.runner import Mode

    changed_label = {
        Mode.WRITE: "fixed",
        Mode.STDIN: "fixed",
    }.get(report.mode, "would change")
    table = Table(title="dockerfix", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("files scanned", str(len(report.outcomes)))
    table.add_row(
        changed_label, str(len(report.changed)), style="green" if report.changed else None
    )
    table.add_row("unchanged", str(len(report.unchanged)))
    table.add_row("errors", str(len(report.errors)), style="red" if report.errors else None)
    fixes = report.fixes
    if fixes:
        table.add_section()
        for code, count in sorted(fixes.items()):
            table.add_row(f"fixes {code}", str(count))
    _console(color).print(table)
