"""Progress on stderr that translators advance (shared by the CLI commands).

A translator reports finished sentences, in fractions when a long sentence is translated in
pieces (:class:`~idtrans.pipeline.layers.sentences.SentenceTranslator`), and the glossary layer
starts a new phase for each round of repair candidates (:meth:`Progress.phase`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


class Progress(Protocol):
    """What a translator stack reports to: finished work, and the start of a new phase of work."""

    def __call__(self, done: float) -> None:
        """``done`` more items of the current phase are finished (a fraction for part of a sentence)."""
        ...

    def phase(self, description: str, total: int) -> None:
        """A new phase of ``total`` items begins (e.g. re-translating the sentences that failed a check)."""
        ...


class ProgressBar:
    """A rich progress bar on stderr (a :class:`Progress`), or nothing when disabled or not a terminal.

    Call it with a count of finished items. It never runs past its total. It shows from the start,
    a single long sentence too: its pieces advance the bar.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def start(self, total: int, description: str) -> None:
        if not self.enabled or total < 1:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        bar.start()
        self._task = bar.add_task(description, total=total)
        self._bar = bar

    def phase(self, description: str, total: int) -> None:
        """Start the bar over for a new phase (only when the bar is showing)."""
        if self._bar is not None and self._task is not None:
            self._bar.reset(self._task, total=max(1, total), description=description)

    def __call__(self, done: float) -> None:
        if self._bar is not None and self._task is not None:
            task = self._bar.tasks[0]
            self._bar.advance(self._task, min(done, max(0.0, (task.total or 0) - task.completed)))

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
