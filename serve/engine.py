"""The server's one use of the translator stack (model → glossary enforcement → sentence cache).

1. :func:`load_engine` is the only place that builds the stack; switch it to the public
   ``idtrans.load_translator(...)`` API when that lands, nothing else changes.
2. :meth:`Engine.translate` runs model code and is called only from the batcher's worker thread,
   never from the event loop.
3. Before each batch the glossary file's identity (inode, size, mtime) is compared with the one
   loaded; a changed file is reloaded, so an edit (through the API or by hand) is used by the
   next request without a restart. The cache keys include the glossary fingerprint, so no stale
   translation is served. A file that no longer loads keeps the last good glossary in force and
   is reported by :meth:`Engine.status` (``/health``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idtrans.errors import IdtransError
from idtrans.glossary import load_glossary
from idtrans.pipeline.layers.factory import TranslatorStack, build_stack
from idtrans.pipeline.layers.translator import DecodeSettings, Translation, Translator
from idtrans.serve.config import ServeConfig
from idtrans.settings import glossary_option

log = logging.getLogger("idtrans.serve")


def file_identity(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass
class EngineCounters:
    """Totals since start: what ``/metrics`` reports."""

    sentences: int = 0
    batches: int = 0
    glossary_reloads: int = 0


class Engine:
    """A loaded translator stack plus the bookkeeping the server needs around it."""

    def __init__(self, stack: TranslatorStack, *, model_name: str = "") -> None:
        self.stack = stack
        self.model_name = model_name
        self.counters = EngineCounters()
        self.glossary_problem: str | None = None
        self._glossary_seen = file_identity(stack.glossary_path) if stack.glossary_path else None
        self._lock = threading.Lock()

    @property
    def translator(self) -> Translator:
        return self.stack.translator

    @property
    def glossary_path(self) -> Path | None:
        return self.stack.glossary_path

    def refresh_glossary(self) -> bool:
        """Reload the glossary when its file changed since it was loaded; True when reloaded."""
        path = self.stack.glossary_path
        enforcer: Any = self.stack.enforcer
        if path is None or enforcer is None:
            return False
        seen = file_identity(path)
        if seen == self._glossary_seen:
            return False

        try:
            glossary = load_glossary(path)
        except IdtransError as error:
            self.glossary_problem = f"{error} (the last good glossary stays in force)"
            log.warning("glossary reload failed: %s", self.glossary_problem)
            self._glossary_seen = seen
            return False
        enforcer.glossary = glossary
        self._glossary_seen = seen
        self.glossary_problem = None
        self.counters.glossary_reloads += 1
        return True

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate one batch (worker thread only); the glossary is refreshed first."""
        with self._lock:
            self.refresh_glossary()
            results = self.stack.translator.translate(list(sentences))
            self.counters.sentences += len(results)
            self.counters.batches += 1
            return results

    def cache_counts(self) -> tuple[int, int]:
        """(hits, misses) of the sentence cache since start (0, 0 without a cache)."""
        cache: Any = self.stack.cache
        return (int(cache.hits), int(cache.misses)) if cache is not None else (0, 0)

    def glossary_counts(self) -> dict[str, int]:
        """Glossary outcomes since start: matched / applied / repaired / missed / forbidden / sentences."""
        enforcer: Any = self.stack.enforcer
        return dict(enforcer.summary()) if enforcer is not None else {}

    def status(self) -> dict[str, Any]:
        """What ``/health`` shows."""
        enforcer: Any = self.stack.enforcer
        return {
            "model": self.model_name,
            "backend": getattr(self.stack.backend, "identity", "")[:120],
            "glossary": str(self.glossary_path) if self.glossary_path else None,
            "glossary_fingerprint": enforcer.glossary.fingerprint[:16] if enforcer is not None else None,
            "glossary_problem": self.glossary_problem,
            "cache": str(self.stack.cache.path) if self.stack.cache is not None else None,
        }

    def close(self) -> None:
        cache: Any = self.stack.cache
        if cache is not None:
            cache.close()


def load_engine(config: ServeConfig) -> Engine:
    """Load the model once and build the same stack as ``idtrans translate`` (see module rule 1)."""
    glossary = glossary_option(config.glossary, config.no_glossary)
    cache: bool | str = (config.cache_path or True) if config.cache else False
    notes: list[str] = []
    choice = config.chosen_model()
    stack = build_stack(
        choice,
        settings=DecodeSettings(beams=config.beams, rerank=config.rerank),
        glossary=glossary,
        backend=config.backend,
        threads=config.threads,
        cache=cache,
        notice=notes.append,
    )
    for note in notes:
        log.info("%s", note)
    stack.notes.extend(notes)
    return Engine(stack, model_name=choice.name)
