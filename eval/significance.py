"""Paired significance tests between systems, through sacrebleu's own code (``sacrebleu.significance``).

``compare_systems`` runs :class:`sacrebleu.significance.PairedTest` (paired bootstrap resampling,
``bs``, as Koehn 2004 / Moses; or approximate randomisation, ``ar``, as multeval) with the first
system as the baseline, and returns for every other system and metric its score, the delta from
the baseline, the bootstrap mean and 95% confidence half-width, and the p-value. The seed is
sacrebleu's (``SACREBLEU_SEED``, default 12345), so the numbers are those ``sacrebleu REF -i
BASE SYS ... --paired-bs`` prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from idtrans.errors import EvalError
from idtrans.eval.score import GATED, METRICS, make_metric
from idtrans.records import pick

TESTS = ("bs", "ar")


@dataclass(frozen=True)
class PairedResult:
    """One system's result on one metric, relative to the baseline (the first system)."""

    system: str
    metric: str  # sacrebleu's name: BLEU, chrF2++, TER
    key: str  # bleu, chrf, ter
    score: float
    baseline: float
    p_value: float | None  # None for the baseline itself
    mean: float | None  # bootstrap mean (None when not estimated)
    ci: float | None  # half-width of the 95% confidence interval around ``mean``

    @property
    def delta(self) -> float:
        return self.score - self.baseline

    @property
    def is_baseline(self) -> bool:
        return self.p_value is None

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value is not None and self.p_value < alpha

    def to_dict(self) -> dict:
        return pick(self, "system", "metric", "score", "baseline", "delta", "p_value", "mean", "ci")


@dataclass
class Comparison:
    """All systems x metrics, plus the test's signatures (with seed and sample count)."""

    test: str
    samples: int
    systems: list[str]
    results: dict[str, list[PairedResult]]  # metric key -> one result per system, baseline first
    signatures: dict[str, str]

    def result(self, system: str, key: str) -> PairedResult:
        return self.results[key][self.systems.index(system)]

    def to_dict(self) -> dict:
        results = {key: [r.to_dict() for r in rows] for key, rows in self.results.items()}
        return {**pick(self, "test", "samples", "systems", "signatures"), "results": results}


def compare_systems(
    systems: Sequence[tuple[str, Sequence[str]]],
    references: Sequence[str],
    *,
    metrics: Sequence[str] = GATED,
    test: str = "bs",
    samples: int = 0,
) -> Comparison:
    """Paired test of every system against ``systems[0]``; ``samples`` 0 = sacrebleu's default (1000 bs, 10000 ar)."""
    from sacrebleu.significance import PairedTest

    if test not in TESTS:
        raise EvalError(
            f"unknown paired test {test!r}", hint="use bs (paired bootstrap) or ar (approximate randomisation)"
        )
    if len(systems) < 2:
        raise EvalError(
            "a comparison needs at least two systems", hint="pass a baseline and at least one other hypothesis file"
        )
    names = [name for name, _ in systems]
    if len(set(names)) != len(names):
        raise EvalError("two systems have the same name", where=", ".join(names), hint="pass each hypothesis file once")
    for name, hyps in systems:
        if len(hyps) != len(references):
            raise EvalError(
                f"{len(hyps)} hypotheses but {len(references)} references",
                where=name,
                hint="every system must be line-aligned with the reference",
            )
    unknown = [key for key in metrics if key not in METRICS]
    if unknown:
        raise EvalError(f"unknown metric(s) {', '.join(unknown)}", hint=f"use {', '.join(METRICS)}")
    objects = {}
    keys = {}
    for key in metrics:
        metric = make_metric(key, references)
        name = metric.corpus_score(list(systems[0][1]), None).name
        objects[name] = metric
        keys[name] = key
    test_obj = PairedTest(
        [(name, list(hyps)) for name, hyps in systems],
        objects,
        references=None,
        test_type=test,
        n_samples=samples,
        n_ar_confidence=1000 if test == "ar" else -1,
        n_jobs=1,
    )
    signatures, table = test_obj()
    results: dict[str, list[PairedResult]] = {}
    for name, key in keys.items():
        rows = [row for row in table[name] if not isinstance(row, str)]  # the "System" column holds names
        base = float(rows[0].score)
        results[key] = [
            PairedResult(
                system=system,
                metric=name,
                key=key,
                score=float(row.score),
                baseline=base,
                p_value=None if i == 0 or row.p_value is None else float(row.p_value),
                mean=None if row.mean is None else float(row.mean),
                ci=None if row.ci is None else float(row.ci),
            )
            for i, (system, row) in enumerate(zip(names, rows))
        ]
    return Comparison(
        test=test,
        samples=test_obj.n_samples,
        systems=names,
        results=results,
        signatures={keys[name]: sig.format() for name, sig in signatures.items()},
    )
