"""The translator interface every layer of the pipeline speaks.

A *backend* turns token-limited sentences into raw model output (one ``generate`` call on a
batch). A *translator* turns any list of sentences into one :class:`Translation` each, in
order, whatever their length: :class:`idtrans.pipeline.layers.sentences.SentenceTranslator` does
that on top of a backend, and decorators (glossary enforcement, the sentence cache) wrap a
translator and are translators themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from idtrans.settings import word_rounds


@dataclass(frozen=True)
class DecodeSettings:
    """Decoding settings, always explicit (never the checkpoint's own beam 6 / max 512).

    ``max_new_tokens`` of ``None`` derives a limit from each batch's input length:
    ``ceil(ratio * input_tokens) + slack``, capped by the model's position limit.
    ``batch_tokens`` is the token budget of one batch (padded source tokens x beams).
    ``unknown_word_rounds``: how many times an output with words that are not English is decoded
    again with those words blocked (0: never; English targets only: a back-translation sets 0);
    default ``$IDTRANS_WORD_ROUNDS``, else 3 (:func:`idtrans.settings.word_rounds`).
    ``rerank``: choose each output from the model's best few with its reverse model, when the model
    declares one (:mod:`idtrans.pipeline.layers.rerank`); the reranker is part of the backend's identity.
    """

    beams: int = 4
    max_new_tokens: int | None = None
    length_ratio: float = 2.0
    length_slack: int = 10
    batch_tokens: int = 8000
    max_batch_sentences: int = 32
    unknown_word_rounds: int = field(default_factory=word_rounds)
    rerank: bool = True

    def describe(self) -> str:
        """A stable string of every setting that changes the output (for caches and reports)."""
        return (
            f"beams={self.beams},max_new_tokens={self.max_new_tokens},"
            f"ratio={self.length_ratio},slack={self.length_slack},word_rounds={self.unknown_word_rounds}"
        )


@dataclass(frozen=True)
class Generation:
    """How a backend decodes one batch (derived from :class:`DecodeSettings` by the sentence layer)."""

    beams: int
    max_new_tokens: int
    no_repeat_ngram_size: int = 0  # > 0 only on a retry after degenerate output
    repetition_penalty: float = 1.0
    avoid: tuple[str, ...] = ()
    """Lower-case words no output may contain (on a retry after output with words that are not English):
    the backend blocks the token sequences that spell each (:class:`idtrans.pipeline.backends.blocking.Blocker`)."""


@dataclass
class Translation:
    """One source sentence and its English translation.

    ``info`` carries per-sentence facts that layers add for the JSONL record:
    ``parts`` (how many pieces a long sentence was split into), ``retried`` (repetition
    retry), ``resplit`` (output that stopped early, redone in parts), ``avoided`` (words that are
    not English the first output had, decoded again without them), ``glossary`` (entries
    matched and what became of each), ``cached``.
    """

    source: str
    text: str
    seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Backend(Protocol):
    """A loaded model: raw batch generation on inputs that fit its position limit."""

    @property
    def identity(self) -> str:
        """A string that identifies the model weights and backend (for caches and reports)."""
        ...

    @property
    def max_input_tokens(self) -> int:
        """The most source tokens (including the end-of-sentence token) one input may have."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, end-of-sentence token included."""
        ...

    def split_tokens(self, text: str, window: int) -> list[str]:
        """Cut ``text`` into consecutive pieces of at most ``window`` tokens, losing nothing."""
        ...

    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        """Translate one batch of token-limited texts, one output each, in order."""
        ...


@runtime_checkable
class Translator(Protocol):
    """Anything that translates a list of sentences into one Translation each, in order."""

    @property
    def identity(self) -> str:
        """A string naming everything that changes the output (model, settings, glossary): for caches."""
        ...

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate ``sentences``; the result has exactly one Translation per input, same order."""
        ...
