"""Number fidelity and name fidelity: does the translation keep the facts a human translator kept?

Both follow sacrebleu's ``Metric`` shape (``corpus_score``, ``sentence_score``,
``get_signature``) like :class:`idtrans.eval.score.TermSuccess`, and both count only what the
*reference* shows a human kept, so a number or name the translator rightly changed never
counts against the system:

Number fidelity
    For each line, the canonical numbers of the source (:func:`idtrans.glossary.numbers.source_values`:
    ``11.000`` → 11000, ``3,5`` → 3.5, ``10.30`` → 10:30, ``lima`` → 5, ``4 November`` → 4) that
    the reference also contains, read the English way (:func:`~idtrans.glossary.numbers.english_values`:
    ``11,000``, ``3.5``, ``10:30``, ``five``), counted with multiplicity (``min`` of the two
    counts). Kept = those the hypothesis contains too, read the same way (so ``11.000`` or
    ``1030`` in a hypothesis is *not* 11000 or 10:30). Fidelity = kept / counted x 100.
Name fidelity
    For each line, the copied names of the source (:func:`idtrans.glossary.names.find_names`, outside
    glossary terms and numbers) that occur in the reference exactly (whole words, case-sensitive).
    Kept = those that occur in the hypothesis exactly. Fidelity = kept / counted x 100.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from idtrans.errors import EvalError
from idtrans.eval.score import WIDTH, PercentScore
from idtrans.glossary.facts import required_items
from idtrans.glossary.names import NameFact
from idtrans.glossary.numbers import english_values, source_values

if TYPE_CHECKING:  # pragma: no cover
    from idtrans.glossary import Glossary


@dataclass
class FactMisses:
    """One line's counted and missed numbers and names."""

    numbers: int = 0
    names: int = 0
    missed_numbers: list[str] = field(default_factory=list)
    missed_names: list[str] = field(default_factory=list)


@dataclass
class FidelityScore(PercentScore):
    """Kept / counted for one kind of fact (``numbers`` or ``names``); ``score`` is a percentage."""

    key: str
    name: str
    counted: int
    kept: int
    signature: str

    @property
    def score(self) -> float | None:
        return 100.0 * self.kept / self.counted if self.counted else None

    def verbose(self) -> str:
        return f"{self.kept}/{self.counted} {self.key} of the source that the reference keeps"

    def fell_from(self, base: FidelityScore) -> bool:
        """Lower than ``base`` (compared as exact fractions)."""
        return bool(base.counted and self.counted) and self.kept * base.counted < base.kept * self.counted

    def to_dict(self, width: int = WIDTH) -> dict:
        return {
            **self.score_fields(width),
            "counted": self.counted,
            "kept": self.kept,
        }


class FactFidelity:
    """Number and name fidelity of hypotheses against sources and references (see the module rules)."""

    def __init__(self, glossary: Glossary | None = None) -> None:
        self.glossary = glossary
        self._sources: dict[str, tuple[Counter, list[NameFact]]] = {}

    def _source(self, source: str) -> tuple[Counter, list[NameFact]]:
        """The source's numbers and names (computed once per source: a gate checks two systems)."""
        found = self._sources.get(source)
        if found is None:
            names = [item.name for item in required_items(source, self.glossary) if item.name is not None]
            found = self._sources[source] = (source_values(source), names)
        return found

    def get_signature(self) -> str:
        from idtrans import __version__  # (the package imports this module through idtrans.api)

        terms = f"fp:{self.glossary.fingerprint}" if self.glossary is not None else "none"
        return f"facts:numbers+names|glossary:{terms}|version:idtrans-{__version__}"

    def sentence_score(self, hypothesis: str, source: str, reference: str) -> FactMisses:
        misses = FactMisses()
        (src, names), ref, hyp = self._source(source), english_values(reference), english_values(hypothesis)
        for value, count in src.items():
            counted = min(count, ref[value])
            kept = min(counted, hyp[value])
            misses.numbers += counted
            misses.missed_numbers += [value] * (counted - kept)
        seen: set[str] = set()
        for name in names:
            if name.surface in seen:
                continue
            seen.add(name.surface)
            if name.found_in(reference):
                misses.names += 1
                if not name.found_in(hypothesis):
                    misses.missed_names.append(name.surface)
        return misses

    def sentence_misses(
        self, hypotheses: Sequence[str], sources: Sequence[str], references: Sequence[str]
    ) -> list[FactMisses]:
        if not len(hypotheses) == len(sources) == len(references):
            raise EvalError(
                f"{len(hypotheses)} hypotheses, {len(sources)} sources, {len(references)} references",
                hint="hypotheses, sources and references must be line-aligned",
            )
        return [self.sentence_score(h, s, r) for h, s, r in zip(hypotheses, sources, references)]

    def aggregate(self, misses: Sequence[FactMisses]) -> dict[str, FidelityScore]:
        signature = self.get_signature()
        numbers = sum(m.numbers for m in misses)
        names = sum(m.names for m in misses)
        return {
            "numbers": FidelityScore(
                "numbers", "NumberFidelity", numbers, numbers - sum(len(m.missed_numbers) for m in misses), signature
            ),
            "names": FidelityScore(
                "names", "NameFidelity", names, names - sum(len(m.missed_names) for m in misses), signature
            ),
        }

    def corpus_score(
        self, hypotheses: Sequence[str], sources: Sequence[str], references: Sequence[str]
    ) -> dict[str, FidelityScore]:
        return self.aggregate(self.sentence_misses(hypotheses, sources, references))
