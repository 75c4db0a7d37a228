"""A progress bar on stderr that translators advance (shared by the CLI commands)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressBar:
    """A rich progress bar on stderr, or nothing when disabled, not a terminal, or for one item.

    Call it with a count of finished items. It never runs past its total: glossary repair
    passes translate some sentences again, and the bar tracks the first pass.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int, description: str) -> None:
        if not self.enabled or total < 2:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        bar.start()
        self._task = bar.add_task(description, total=total)
        self._bar = bar

    def __call__(self, done: int) -> None:
        if self._bar is not None and self._task is not None:
            task = self._bar.tasks[0]
            self._bar.advance(self._task, min(done, max(0, (task.total or 0) - task.completed)))

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
