"""Building the translator stack: backend → SentenceTranslator → glossary enforcement → cache → memory.

Each layer is a :class:`~idtrans.pipeline.translator.Translator` wrapping the one below, so
callers (the CLI, ``idtrans eval run``, benchmarks) get one object with ``translate()``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from idtrans.pipeline.translator import Backend, DecodeSettings, Translator

if TYPE_CHECKING:
    from idtrans.pipeline.cache import CachedTranslator
    from idtrans.pipeline.enforce import GlossaryTranslator

GLOSSARY_ENV = "IDTRANS_GLOSSARY"


class BackendName(str, Enum):
    """Model backends: ``auto`` picks ct2 when the model has a converted copy, else torch."""

    auto = "auto"
    torch = "torch"
    ct2 = "ct2"


BACKENDS = tuple(b.value for b in BackendName)


def resolve_glossary(glossary: str | Path | bool | None) -> Path | None:
    """``False`` → no glossary; ``None`` → ``IDTRANS_GLOSSARY`` or the bundled starter glossary."""
    if glossary is False:
        return None
    if glossary is None or glossary is True:
        from_env = os.environ.get(GLOSSARY_ENV, "").strip()
        if from_env:
            return Path(from_env).expanduser()
        from idtrans.glossary import default_glossary_path

        return default_glossary_path()
    return Path(glossary).expanduser()


@dataclass
class TranslatorStack:
    """The built translator plus the layers a caller may want to ask about."""

    translator: Translator
    backend: Backend
    glossary_path: Path | None = None
    enforcer: GlossaryTranslator | None = None
    cache: CachedTranslator | None = None
    notes: list[str] = field(default_factory=list)
    memory: object | None = None


def build_stack(
    model: str | None = None,
    *,
    settings: DecodeSettings = DecodeSettings(),
    glossary: str | Path | bool | None = None,
    backend: str = "auto",
    threads: int | None = None,
    cache: bool | str | Path = False,
    progress: Callable[[int], None] | None = None,
    notice: Callable[[str], None] | None = None,
    memory: bool | str | Path = False,
) -> TranslatorStack:
    """Load the model and wrap it in the requested layers.

    ``memory``: the translation memory (``True``: the default file) as the top layer: approved human
    translations win over everything below; see :mod:`idtrans.interop.tm`.
    """
    from idtrans.pipeline.models import choose_model, load_backend
    from idtrans.pipeline.sentences import SentenceTranslator

    if backend not in BACKENDS:
        from idtrans.errors import ModelError

        raise ModelError(f"unknown backend {backend!r}", hint=f"use one of: {', '.join(BACKENDS)}")
    choice = choose_model(model)
    if backend == "auto":
        from idtrans.pipeline.convert import converted_copy

        backend = "ct2" if converted_copy(choice.path) is not None else "torch"
    loaded = load_backend(choice, backend=backend, threads=threads, notice=notice)
    translator: Translator = SentenceTranslator(loaded, settings, progress=progress)
    stack = TranslatorStack(translator, loaded)
    glossary_path = resolve_glossary(glossary)
    if glossary_path is not None:
        from idtrans.glossary import load_glossary
        from idtrans.pipeline.enforce import GlossaryTranslator

        stack.enforcer = GlossaryTranslator(translator, load_glossary(glossary_path))
        stack.glossary_path = glossary_path
        translator = stack.enforcer
    if cache:
        from idtrans.pipeline.cache import CachedTranslator

        stack.cache = CachedTranslator(translator, None if cache is True else Path(cache))
        translator = stack.cache
    if memory:
        from idtrans.interop.tm import MemoryTranslator, TranslationMemory

        stack.memory = MemoryTranslator(translator, TranslationMemory(None if memory is True else Path(memory)))
        translator = stack.memory
    stack.translator = translator
    return stack


def build_translator(model: str | None = None, **options: Any) -> Translator:
    """The translator alone (see :func:`build_stack` for the options)."""
    return build_stack(model, **options).translator
