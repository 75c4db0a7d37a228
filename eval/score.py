"""Corpus scores through sacrebleu's Python API, and a terminology metric of the same shape.

BLEU, chrF++ (chrF with word n-grams up to 2) and TER are sacrebleu's own metric classes with
the defaults of its command line, so ``score_corpus`` gives what
``sacrebleu REF -i HYP -m bleu chrf ter --chrf-word-order 2`` prints: the same scores
(printed at the same width, 1 decimal by default) and the same signatures.

:class:`TermSuccess` follows sacrebleu's ``Metric`` shape (``corpus_score``,
``sentence_score``, ``get_signature``) for the WMT21 terminology task's exact-match accuracy:
the share of glossary entries matched in the sources whose English rendering appears in the
hypothesis (via :func:`idtrans.glossary.check.check_translation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from idtrans.errors import EvalError
from idtrans.glossary import load_glossary
from idtrans.glossary.check import TermStats, check_translation

if TYPE_CHECKING:  # pragma: no cover
    from sacrebleu.metrics.base import Metric

    from idtrans.glossary import Glossary, TermCheck

#: The metrics ``idtrans eval`` reports, in sacrebleu's order (its CLI sorts them by name).
METRICS = ("bleu", "chrf", "ter")
#: The metrics the regression gate and ``compare`` test for significance (TER is reported only).
GATED = ("bleu", "chrf")
#: Decimal places sacrebleu's CLI prints by default (``-w 1``).
WIDTH = 1


def make_metric(key: str, references: Sequence[str] | None = None) -> Metric:
    """A sacrebleu metric object with the CLI's defaults (``chrf`` is chrF++: word order 2)."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    refs = None if references is None else [list(references)]
    if key == "bleu":
        return BLEU(references=refs)
    if key == "chrf":
        return CHRF(word_order=2, references=refs)
    if key == "ter":
        return TER(references=refs)
    raise EvalError(f"unknown metric {key!r}", hint=f"use one of: {', '.join(METRICS)}")


@dataclass(frozen=True)
class MetricScore:
    """One corpus-level score with sacrebleu's name (``BLEU``, ``chrF2++``, ``TER``) and signature."""

    key: str
    name: str
    score: float
    signature: str
    verbose: str = ""

    @property
    def higher_is_better(self) -> bool:
        return self.key != "ter"

    def printed(self, width: int = WIDTH) -> str:
        """The score as sacrebleu's CLI prints it at ``-w width``."""
        return f"{self.score:.{width}f}"

    def to_dict(self, width: int = WIDTH) -> dict:
        return {
            "name": self.name,
            "score": float(self.printed(width)),
            "exact": self.score,
            "signature": self.signature,
            **({"verbose_score": self.verbose} if self.verbose else {}),
        }


def score_corpus(
    hypotheses: Sequence[str],
    references: Sequence[str],
    metrics: Sequence[str] = METRICS,
) -> dict[str, MetricScore]:
    """Corpus BLEU / chrF++ / TER of ``hypotheses`` against one reference each (same length)."""
    if len(hypotheses) != len(references):
        raise EvalError(
            f"{len(hypotheses)} hypotheses but {len(references)} references",
            hint="hypotheses and references must be line-aligned",
        )
    if not references:
        raise EvalError("nothing to score: no sentences", hint="pass files with at least one line")
    scores = {}
    for key in metrics:
        metric = make_metric(key)
        result = metric.corpus_score(list(hypotheses), [list(references)])
        scores[key] = MetricScore(
            key=key,
            name=result.name,
            score=float(result.score),
            signature=metric.get_signature().format(),
            verbose=getattr(result, "_verbose", "") or "",
        )
    return scores


def sentence_chrf(hypotheses: Sequence[str], references: Sequence[str]) -> list[float]:
    """Sentence-level chrF++ of each hypothesis (what ``sacrebleu -sl -m chrf --chrf-word-order 2`` gives)."""
    metric = make_metric("chrf")
    return [float(metric.sentence_score(hyp, [ref]).score) for hyp, ref in zip(hypotheses, references)]


# --------------------------------------------------------------------------- terminology


class PercentScore:
    """What the percentage scores share (term success, number and name fidelity): ``score`` is ``None``
    when nothing was counted, printed as ``n/a``."""

    name: str
    signature: str

    @property
    def score(self) -> float | None:
        raise NotImplementedError

    def printed(self, width: int = WIDTH) -> str:
        return "n/a" if self.score is None else f"{self.score:.{width}f}"

    def score_fields(self, width: int = WIDTH) -> dict[str, Any]:
        """``name``, ``score`` (rounded to ``width`` places), ``exact`` and ``signature``, as sacrebleu's JSON."""
        return {
            "name": self.name,
            "score": None if self.score is None else float(self.printed(width)),
            "exact": self.score,
            "signature": self.signature,
        }


@dataclass
class TermScore(PercentScore):
    """Term success over a corpus: ``score`` is a percentage (found / matched x 100).

    With no glossary term in any source the rate is undefined: ``score`` is ``None``.
    """

    name: str
    matched: int
    found: int
    forbidden: int
    sentences_with_terms: int
    signature: str
    missed_by_entry: dict[str, int] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        return 100.0 * self.found / self.matched if self.matched else None

    @property
    def key(self) -> str:
        return "terms"

    def verbose(self) -> str:
        return (
            f"{self.found}/{self.matched} terms found, {self.forbidden} forbidden form(s), "
            f"{self.sentences_with_terms} sentence(s) with terms"
        )

    def to_dict(self, width: int = WIDTH) -> dict:
        return {
            **self.score_fields(width),
            "matched": self.matched,
            "found": self.found,
            "forbidden": self.forbidden,
            "sentences_with_terms": self.sentences_with_terms,
            "missed_by_entry": dict(sorted(self.missed_by_entry.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


class TermSuccess:
    """WMT21 exact-match term accuracy, in the shape of a sacrebleu ``Metric``.

    ``corpus_score(hypotheses, sources)`` → :class:`TermScore`; ``sentence_score(hypothesis,
    source)`` → the list of :class:`~idtrans.glossary.check.TermCheck` for that sentence;
    ``get_signature()`` names the glossary by name and content fingerprint, so two scores are
    comparable only when their signatures agree. ``strict`` counts only the entry's rendering,
    not its ``also`` forms.
    """

    name = "TermSuccess"

    def __init__(self, glossary: Glossary, *, strict: bool = False) -> None:
        self.glossary = glossary
        self.strict = strict

    def get_signature(self) -> str:
        from idtrans import __version__  # (the package imports this module through idtrans.api)

        return (
            f"glossary:{self.glossary.name}|fp:{self.glossary.fingerprint}|entries:{len(self.glossary)}"
            f"|match:exact|also:{'no' if self.strict else 'yes'}|version:idtrans-{__version__}"
        )

    def sentence_score(self, hypothesis: str, source: str) -> list[TermCheck]:
        return check_translation(self.glossary, source, hypothesis, strict=self.strict)

    def sentence_checks(self, hypotheses: Sequence[str], sources: Sequence[str]) -> list[list[TermCheck]]:
        if len(hypotheses) != len(sources):
            raise EvalError(
                f"{len(hypotheses)} hypotheses but {len(sources)} sources",
                hint="hypotheses and sources must be line-aligned",
            )
        return [self.sentence_score(hyp, src) for hyp, src in zip(hypotheses, sources)]

    def corpus_score(self, hypotheses: Sequence[str], sources: Sequence[str]) -> TermScore:
        return self.aggregate(self.sentence_checks(hypotheses, sources))

    def aggregate(self, checks_per_sentence: Sequence[Sequence[TermCheck]]) -> TermScore:
        """A corpus TermScore from per-sentence checks already computed."""
        stats = TermStats()
        for checks in checks_per_sentence:
            stats.add(checks)
        return TermScore(
            self.name,
            stats.matched,
            stats.found,
            stats.forbidden,
            stats.sentences_with_terms,
            self.get_signature(),
            stats.missed_by_entry,
        )


def load_term_metric(glossary_path: str | Path, *, strict: bool = False) -> TermSuccess:
    """Load a glossary file (GlossaryError on a bad one) and wrap it in a TermSuccess metric."""
    return TermSuccess(load_glossary(glossary_path), strict=strict)
