"""A progress bar on stderr that translators advance (shared by the CLI commands)."""

from __future__ import annotations

import sys


class ProgressBar:
    """A rich progress bar on stderr, or nothing when disabled, not a terminal, or for one item.

    Call it with a count of finished items. It never runs past its total: glossary repair
    passes translate some sentences again, and the bar tracks the first pass.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar = None
        self._task = None

    def start(self, total: int, description: str) -> None:
        if not self.enabled or total < 2:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(description, total=total)

    def __call__(self, done: int) -> None:
        if self._bar is not None:
            task = self._bar.tasks[0]
            self._bar.advance(self._task, min(done, max(0, task.total - task.completed)))

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
