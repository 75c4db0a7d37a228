"""Building the translator stack: backend → SentenceTranslator → glossary enforcement → cache → memory.

Each layer is a :class:`~idtrans.pipeline.layers.translator.Translator` wrapping the one below, so
callers (the CLI, ``idtrans eval run``, benchmarks) get one object with ``translate()``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from idtrans.errors import IdtransError, ModelError
from idtrans.glossary import Glossary, load_glossary
from idtrans.glossary.check import rendering_spans
from idtrans.pipeline.backends.load import load_backend
from idtrans.pipeline.layers.cache import CachedTranslator
from idtrans.pipeline.layers.enforce import GlossaryTranslator
from idtrans.pipeline.layers.rerank import load_reranking, read_rerank_spec
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import Backend, DecodeSettings, Translation, Translator
from idtrans.pipeline.models.autoconvert import ensure_converted
from idtrans.pipeline.models.resolve import ModelChoice, choose_model
from idtrans.progress import Progress
from idtrans.settings import DEFAULT_GLOSSARY, GLOSSARY_ENV, GlossarySpec, env, resolve_glossary

if TYPE_CHECKING:  # the memory layer loads only when asked for (see build_stack)
    from idtrans.interop.tm import MemoryTranslator


class BackendName(str, Enum):
    """Model backends: ``auto`` picks ct2 when the model has a converted copy, else torch."""

    auto = "auto"
    torch = "torch"
    ct2 = "ct2"


BACKENDS = tuple(b.value for b in BackendName)


@dataclass
class TranslatorStack:
    """The built translator plus the layers a caller may want to ask about."""

    translator: Translator
    backend: Backend
    glossary_path: Path | None = None
    enforcer: GlossaryTranslator | None = None
    cache: CachedTranslator | None = None
    notes: list[str] = field(default_factory=list)
    memory: MemoryTranslator | None = None


def load_glossary_spec(spec: GlossarySpec) -> tuple[Path, Glossary] | None:
    """The glossary ``spec`` names and its file, loaded (``None``: no glossary).

    An error about a file named by ``$IDTRANS_GLOSSARY`` says so.
    """
    path = resolve_glossary(spec)
    if path is None:
        return None
    try:
        return path, load_glossary(path)
    except IdtransError as error:
        if spec is DEFAULT_GLOSSARY and env(GLOSSARY_ENV):
            error.where = f"{error.where or path} (from ${GLOSSARY_ENV})"
        raise


def glossary_verifier(glossary: Glossary) -> Callable[[Translation], bool]:
    """A cache-hit check: every term the row records as applied or repaired is in its English.

    A row failing it is damaged (edited by hand, a disk error, a bug) and is translated again.
    """

    def verify(item: Translation) -> bool:
        for term in item.info.get("glossary", ()):
            if not isinstance(term, dict) or term.get("status") not in ("applied", "repaired"):
                continue
            entry = glossary.get(str(term.get("entry")))
            target = term.get("target")
            if entry is None or not isinstance(target, str):
                return False  # the row names a term this glossary version does not have
            if not rendering_spans(entry, target, item.text):
                return False
        return True

    return verify


def build_stack(
    model: str | ModelChoice | None = None,
    *,
    settings: DecodeSettings = DecodeSettings(),
    glossary: GlossarySpec = DEFAULT_GLOSSARY,
    backend: str = "auto",
    threads: int | None = None,
    cache: bool | str | Path = False,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
    memory: bool | str | Path = False,
) -> TranslatorStack:
    """Load the model and wrap it in the requested layers.

    ``model``: a name for :func:`choose_model`, or a choice it already made (worker processes get the
    parent's, so the Hub is probed once).
    ``memory``: the translation memory (``True``: the default file) as the top layer: approved human
    translations win over everything below; see :mod:`idtrans.interop.tm`.
    """
    if backend not in BACKENDS:
        raise ModelError(f"unknown backend {backend!r}", hint=f"use one of: {', '.join(BACKENDS)}")
    glossary_path, loaded_glossary = load_glossary_spec(glossary) or (None, None)
    choice = model if isinstance(model, ModelChoice) else choose_model(model)
    if backend == "auto":
        say = notice or (lambda line: print(line, file=sys.stderr))
        backend = "ct2" if ensure_converted(choice, say) is not None else "torch"
    loaded = load_backend(choice, backend=backend, threads=threads, notice=notice)
    spec = read_rerank_spec(choice.path) if settings.rerank else None
    if spec is not None:
        loaded = load_reranking(loaded, spec, threads)
    translator: Translator = SentenceTranslator(loaded, settings, progress=progress)
    stack = TranslatorStack(translator, loaded)
    if glossary_path is not None and loaded_glossary is not None:
        stack.enforcer = GlossaryTranslator(translator, loaded_glossary, progress=progress)
        stack.glossary_path = glossary_path
        translator = stack.enforcer
    if cache:
        verify = glossary_verifier(loaded_glossary) if loaded_glossary is not None else None
        stack.cache = CachedTranslator(translator, None if cache is True else Path(cache), verify=verify)
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
