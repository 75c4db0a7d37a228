"""Reranking: the forward model's best few translations, chosen again with a reverse model's opinion.

A small forward model's beam often holds a better translation than its first: one that keeps a word
the first drops or garbles. A reverse (English→Indonesian) model can tell which: the English that
best explains the Indonesian source scores highest when the reverse model reads it back. For each
input, :class:`RerankingBackend` decodes ``hypotheses`` translations with the forward model and keeps
the one with the highest ``forward + weight * reverse - unknown_word_penalty * n`` (both scores mean
log-probabilities per token: the forward model's decoding score, the reverse model's ``score`` of the
source given the English; ``n`` the English's words that are not English,
:func:`~idtrans.glossary.invented.unknown_words`, counted without the glossary's exemptions, which
this layer below the glossary does not know).

It is a backend wrapper: every layer above (sentences, the unknown-word rounds, glossary
enforcement) sees one output per input, as before, and the reranker's settings and the reverse
model's identity are part of the backend identity, so of the sentence cache key.

A model directory declares its reverse model in ``rerank.json`` (:func:`read_rerank_spec`):
``{"reverse": "reverse-ct2-int8", "weight": 0.2, "hypotheses": 8, "unknown_word_penalty": 1}`` (the
penalty optional), the reverse model a CTranslate2 directory beside it (or an absolute path). The
bundled model ships one; how its settings were measured is in its model card and the README.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from idtrans.errors import ModelError
from idtrans.glossary.invented import counterparts, unknown_words
from idtrans.pipeline.layers.translator import Backend, Generation

#: The file in a model directory that declares its reverse model.
RERANK_FILE = "rerank.json"
#: At most this many hypotheses per input (the beam is widened to it).
MAX_HYPOTHESES = 16
#: Pairs per reverse-scoring call.
_SCORE_CHUNK = 32


@dataclass(frozen=True)
class RerankSpec:
    """A model's reverse model and how much its score counts."""

    reverse: Path
    weight: float
    hypotheses: int
    unknown_word_penalty: float = 0.0
    """Subtracted once for each word that is not English (:func:`~idtrans.glossary.invented.unknown_words`)."""

    def describe(self) -> str:
        penalty = f"-{self.unknown_word_penalty:g}u" if self.unknown_word_penalty else ""
        return f"rerank={self.hypotheses}x{self.weight:g}{penalty}"


def read_rerank_spec(model_dir: Path) -> RerankSpec | None:
    """The reranking ``model_dir`` declares in :data:`RERANK_FILE` (``None``: it declares none)."""
    path = Path(model_dir) / RERANK_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        reverse = Path(str(data["reverse"]))
        weight = float(data["weight"])
        hypotheses = int(data["hypotheses"])
        penalty = float(data.get("unknown_word_penalty", 0.0))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelError(
            f"cannot read {RERANK_FILE}: {error}",
            where=str(path),
            hint='it holds {"reverse": DIR, "weight": W, "hypotheses": N}; fix it, or translate with --no-rerank',
        ) from error
    if (
        not (0.0 <= weight <= 10.0 and math.isfinite(weight))
        or not 1 <= hypotheses <= MAX_HYPOTHESES
        or not (0.0 <= penalty <= 10.0 and math.isfinite(penalty))
    ):
        raise ModelError(
            f"{RERANK_FILE}: weight {weight}, hypotheses {hypotheses} or unknown_word_penalty {penalty} out of range",
            where=str(path),
            hint=f"weight 0-10, hypotheses 1-{MAX_HYPOTHESES}, unknown_word_penalty 0-10",
        )
    if not reverse.is_absolute():
        reverse = Path(model_dir) / reverse
    if not reverse.is_dir():
        raise ModelError(
            f"{RERANK_FILE} names a reverse model that is not there: {reverse}",
            where=str(path),
            hint="restore the directory, or translate with --no-rerank",
        )
    return RerankSpec(reverse, weight, hypotheses, penalty)


class NBestBackend(Backend, Protocol):
    """A backend that can return its best few translations of each input."""

    def generate_nbest(self, texts: Sequence[str], options: Generation, size: int) -> list[list[tuple[str, float]]]: ...


class Scorer(Protocol):
    """What the reranker needs of the reverse model: its score of a target given a source."""

    @property
    def identity(self) -> str: ...

    def score(self, sources: Sequence[str], targets: Sequence[str]) -> list[float]: ...


class RerankingBackend:
    """``forward``, each output chosen from its best ``spec.hypotheses`` by forward + weight x reverse score."""

    def __init__(self, forward: NBestBackend, reverse: Scorer, spec: RerankSpec) -> None:
        self.forward = forward
        self.reverse = reverse
        self.spec = spec
        self.identity = f"{forward.identity}+{spec.describe()}:{reverse.identity}"
        self.max_input_tokens = forward.max_input_tokens
        self.max_output_tokens = getattr(forward, "max_output_tokens", forward.max_input_tokens)

    @property
    def loaded(self) -> bool:
        return bool(getattr(self.forward, "loaded", True))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.forward.count_tokens(texts)

    def split_tokens(self, text: str, window: int) -> list[str]:
        return self.forward.split_tokens(text, window)

    def score(self, sources: Sequence[str], targets: Sequence[str]) -> list[float]:
        """The forward model's score (what the layers above compare candidates with)."""
        scorer: Callable[[Sequence[str], Sequence[str]], list[float]] | None = getattr(self.forward, "score", None)
        if scorer is None:
            raise ModelError("the forward model cannot score", where=self.forward.identity)
        return scorer(sources, targets)

    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        return [text for text, _ in self.generate_scored(texts, options)]

    def generate_scored(self, texts: Sequence[str], options: Generation) -> list[tuple[str, float]]:
        """Each text's chosen translation and its forward score."""
        lists = self.forward.generate_nbest(texts, options, self.spec.hypotheses)
        return self._choose(texts, lists)

    def generate_each(self, texts: Sequence[str], options: Sequence[Generation]) -> list[tuple[str, float]]:
        """Each text decoded alone with its own options (its own blocked words), then chosen as above; on the
        forward backend's replicas at once when it can (``generate_nbest_each``)."""
        each = getattr(self.forward, "generate_nbest_each", None)
        if each is not None:
            lists = each(texts, options, self.spec.hypotheses)
        else:
            lists = [
                self.forward.generate_nbest([text], option, self.spec.hypotheses)[0]
                for text, option in zip(texts, options)
            ]
        return self._choose(texts, lists)

    def _choose(self, texts: Sequence[str], lists: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
        if any(not found for found in lists):
            raise ModelError("the model returned no translation", where=self.forward.identity)
        pairs = [(hypothesis, source) for source, found in zip(texts, lists) for hypothesis, _ in found]
        reverse = reverse_scores(self.reverse, pairs) if self.spec.weight else [0.0] * len(pairs)
        chosen: list[tuple[str, float]] = []
        at = 0
        for source, found in zip(texts, lists):
            penalties = unknown_counts(source, [text for text, _ in found], self.spec.unknown_word_penalty)
            best = best_index([score for _, score in found], reverse[at : at + len(found)], self.spec.weight, penalties)
            chosen.append(found[best])
            at += len(found)
        return chosen


def best_index(
    forward: Sequence[float], reverse: Sequence[float], weight: float, penalties: Sequence[float] | None = None
) -> int:
    """Which hypothesis has the highest ``forward + weight * reverse - penalty``: the first of equals (the
    forward model's order); at weight 0 and no penalties the forward model's own first."""
    if weight == 0 and not any(penalties or ()):
        return 0
    penalties = penalties or [0.0] * len(forward)
    combined = [f + weight * r - p for f, r, p in zip(forward, reverse, penalties)]
    return max(range(len(combined)), key=combined.__getitem__)


def unknown_counts(source: str, hypotheses: Sequence[str], penalty: float) -> list[float]:
    """``penalty`` times the number of words that are not English in each hypothesis (none: all zero)."""
    if not penalty:
        return [0.0] * len(hypotheses)
    known = counterparts(source)
    return [penalty * len(unknown_words(text, known)) for text in hypotheses]


def reverse_scores(reverse: Scorer, pairs: Sequence[tuple[str, str]]) -> list[float]:
    """``reverse``'s score of each source given its English (``pairs`` of English and source), in length-sorted
    chunks (scoring slows down with batch size)."""
    order = sorted(range(len(pairs)), key=lambda k: len(pairs[k][0]) + len(pairs[k][1]))
    scores = [0.0] * len(pairs)
    for start in range(0, len(order), _SCORE_CHUNK):
        chunk = order[start : start + _SCORE_CHUNK]
        english = [pairs[k][0] or "." for k in chunk]  # an empty English still gets a (low) score
        values = reverse.score(english, [pairs[k][1] for k in chunk])
        for k, value in zip(chunk, values):
            scores[k] = float(value)
    return scores


def load_reranking(forward: Any, spec: RerankSpec, threads: int | None) -> RerankingBackend:
    """``forward`` wrapped with the reverse model ``spec`` names (a CTranslate2 directory)."""
    from idtrans.pipeline.backends.ct2_backend import load_ct2_backend

    if getattr(forward, "generate_nbest", None) is None:
        raise ModelError(
            "this backend cannot return several translations", where=forward.identity, hint="use --no-rerank"
        )
    reverse = load_ct2_backend(spec.reverse, threads=threads, name=f"reverse:{spec.reverse.name}")
    return RerankingBackend(forward, reverse, spec)
