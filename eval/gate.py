"""The regression gate: a candidate's hypotheses against a committed baseline's.

A baseline file (JSON, ``idtrans-eval-baseline/1``) holds the baseline system's hypotheses,
its scores, what produced it (model, decoding settings, glossary) and fingerprints of the test
set's source and reference lines. The gate re-scores the baseline's hypotheses on the same
references (so a sacrebleu upgrade or a glossary edit cannot fake a regression), runs
sacrebleu's paired bootstrap test between baseline and candidate, and fails when

- BLEU or chrF++ falls by more than its tolerance **and** the paired test says the difference
  is significant (p < alpha), or
- term success (with the same glossary, re-checked on both) falls at all;
- number fidelity or name fidelity (:mod:`idtrans.eval.fidelity`, re-checked on both) falls at all.

Failing raises :class:`~idtrans.errors.RegressionError` with a one-line reason. A test set
that differs from the baseline's (other lines, other subset) is an :class:`EvalError`, not a
regression: the comparison would mean nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from idtrans import __version__
from idtrans.errors import EvalError, InputError, RegressionError
from idtrans.eval.fidelity import FactFidelity, FidelityScore
from idtrans.eval.lines import lines_digest
from idtrans.eval.score import GATED, MetricScore, TermScore, TermSuccess
from idtrans.eval.significance import Comparison, compare_systems
from idtrans.io import atomic_write_text
from idtrans.records import pick

FORMAT = "idtrans-eval-baseline/1"
DEFAULT_TOLERANCE = {"bleu": 0.5, "chrf": 0.5}
DEFAULT_ALPHA = 0.05
UPDATE_HINT = "if the change is intended, rewrite the baseline with --update-baseline and commit it"


@dataclass
class Baseline:
    """A committed baseline: hypotheses + how they were made + their scores."""

    hypotheses: list[str]
    source_sha256: str | None
    reference_sha256: str
    scores: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    @property
    def lines(self) -> int:
        return len(self.hypotheses)

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            **self.meta,
            "test_set": {
                **self.meta.get("test_set", {}),
                "lines": self.lines,
                "source_sha256": self.source_sha256,
                "reference_sha256": self.reference_sha256,
            },
            "scores": self.scores,
            "hypotheses": self.hypotheses,
        }


#: How to replace a damaged baseline (--update-baseline refuses to overwrite one it cannot read).
_REGENERATE = "move the file aside, then write a new one with --update-baseline"


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file; InputError (naming the file) when it is missing or malformed."""
    name = str(path)
    file = Path(path)
    if not file.exists():
        raise InputError(
            "baseline file not found", where=name, hint="create it deliberately with --update-baseline (then commit it)"
        )
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError("baseline file is not UTF-8 text", where=name, hint=_REGENERATE) from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"baseline file is not valid JSON: {error.msg}",
            where=f"{name}:{error.lineno}",
            hint=_REGENERATE,
        ) from None
    except OSError as error:
        raise InputError(
            f"cannot read the baseline file: {error.strerror or error}", where=name, hint="check the path"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(
            f'not an idtrans baseline (expected "format": "{FORMAT}")',
            where=name,
            hint=_REGENERATE,
        )
    hyps = data.get("hypotheses")
    test_set = data.get("test_set") or {}
    if not isinstance(hyps, list) or not all(isinstance(h, str) for h in hyps) or not hyps:
        raise InputError('baseline has no "hypotheses" list of strings', where=name, hint=_REGENERATE)
    if not isinstance(test_set.get("reference_sha256"), str):
        raise InputError("baseline has no test_set.reference_sha256", where=name, hint=_REGENERATE)
    meta = {k: v for k, v in data.items() if k not in ("format", "hypotheses", "scores")}
    return Baseline(
        hypotheses=hyps,
        source_sha256=test_set.get("source_sha256"),
        reference_sha256=test_set["reference_sha256"],
        scores=data.get("scores") or {},
        meta=meta,
        path=name,
    )


def write_baseline(path: str | Path, baseline: Baseline) -> Path:
    """Write a baseline atomically (temp file + rename), pretty enough to diff in review."""
    target = Path(path)
    atomic_write_text(target, json.dumps(baseline.to_dict(), ensure_ascii=False, indent=1) + "\n")
    return target


def make_baseline(
    hypotheses: Sequence[str],
    references: Sequence[str],
    sources: Sequence[str] | None,
    *,
    scores: dict[str, MetricScore],
    terms: TermScore | None,
    meta: dict[str, Any] | None = None,
    facts: dict[str, FidelityScore] | None = None,
) -> Baseline:
    """A Baseline from a run's hypotheses and scores (``meta``: test set, model, settings, glossary)."""
    meta = dict(meta or {})
    meta.setdefault("created", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    meta.setdefault("idtrans_version", __version__)
    payload = {key: score.to_dict() for key, score in scores.items()}
    if terms is not None:
        payload["terms"] = terms.to_dict()
    for key, fidelity in (facts or {}).items():
        payload[key] = fidelity.to_dict()
    return Baseline(
        hypotheses=list(hypotheses),
        source_sha256=None if sources is None else lines_digest(sources),
        reference_sha256=lines_digest(references),
        scores=payload,
        meta=meta,
    )


@dataclass(frozen=True)
class GateCheck:
    """One criterion of the gate: the baseline's and candidate's values and the verdict."""

    metric: str
    baseline: float | None
    candidate: float | None
    tolerance: float | None
    p_value: float | None
    failed: bool
    reason: str

    @property
    def delta(self) -> float | None:
        if self.baseline is None or self.candidate is None:
            return None
        return self.candidate - self.baseline

    def to_dict(self) -> dict:
        return pick(self, "metric", "baseline", "candidate", "delta", "tolerance", "p_value", "failed", "reason")


@dataclass
class GateResult:
    checks: list[GateCheck]
    alpha: float
    samples: int
    notes: list[str] = field(default_factory=list)
    baseline_path: str | None = None

    @property
    def failed(self) -> list[GateCheck]:
        return [check for check in self.checks if check.failed]

    @property
    def passed(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line: why it failed, or that it passed."""
        if self.failed:
            return "regression: " + "; ".join(check.reason for check in self.failed)
        return "no regression: " + "; ".join(check.reason for check in self.checks)

    def raise_if_failed(self) -> None:
        if self.failed:
            raise RegressionError(self.summary(), where=self.baseline_path, hint=UPDATE_HINT)

    def to_dict(self) -> dict:
        return {
            "passed": self.passed,
            "summary": self.summary(),
            "alpha": self.alpha,
            "samples": self.samples,
            "notes": self.notes,
            "baseline": self.baseline_path,
            "checks": [c.to_dict() for c in self.checks],
        }


def check_same_test_set(baseline: Baseline, references: Sequence[str], sources: Sequence[str] | None) -> None:
    """EvalError unless the candidate was scored on exactly the baseline's test set lines."""
    where = baseline.path
    test_set = baseline.meta.get("test_set", {})
    described = test_set.get("name") or "its test set"
    if test_set.get("limit"):
        described += f" (first {test_set['limit']} lines)"
    if len(references) != baseline.lines:
        raise EvalError(
            f"the baseline has {baseline.lines} hypotheses but this test set has {len(references)} lines: "
            f"the baseline was made on {described}",
            where=where,
            hint="gate on the same test set and --limit as the baseline, or rewrite it with --update-baseline",
        )
    if lines_digest(references) != baseline.reference_sha256:
        raise EvalError(
            f"the references differ from those the baseline was scored on ({described})",
            where=where,
            hint="gate on the same test set as the baseline, or rewrite it with --update-baseline",
        )
    if sources is not None and baseline.source_sha256 and lines_digest(sources) != baseline.source_sha256:
        raise EvalError(
            f"the source lines differ from those the baseline translated ({described})",
            where=where,
            hint="gate on the same test set as the baseline, or rewrite it with --update-baseline",
        )


def differences(baseline_meta: dict[str, Any], candidate_meta: dict[str, Any]) -> list[str]:
    """Notes on what changed between the baseline's run and this one (model, decoding, glossary)."""
    notes = []
    for label, path in (
        ("model", ("model", "identity")),
        ("decoding", ("settings", "describe")),
        ("glossary", ("glossary", "fingerprint")),
    ):

        def get(meta, path=path):
            value = meta
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            return value

        if path[0] not in candidate_meta:
            continue
        before, after = get(baseline_meta), get(candidate_meta)
        if before != after:
            notes.append(f"{label} differs from the baseline's: {before or 'none'} -> {after or 'none'}")
    return notes


def run_gate(
    baseline: Baseline,
    hypotheses: Sequence[str],
    references: Sequence[str],
    *,
    sources: Sequence[str] | None = None,
    terms: TermSuccess | None = None,
    tolerance: dict[str, float] | None = None,
    alpha: float = DEFAULT_ALPHA,
    samples: int = 1000,
    candidate_meta: dict[str, Any] | None = None,
    facts: FactFidelity | None = None,
) -> GateResult:
    """Compare ``hypotheses`` with the baseline's on the same test set; the verdict, not yet raised."""
    tolerance = {**DEFAULT_TOLERANCE, **(tolerance or {})}
    check_same_test_set(baseline, references, sources)
    if len(hypotheses) != len(references):
        raise EvalError(
            f"{len(hypotheses)} hypotheses but {len(references)} references",
            hint="hypotheses must be line-aligned with the references",
        )
    notes = list(differences(baseline.meta, candidate_meta or {}))
    comparison = compare_systems(
        [("baseline", baseline.hypotheses), ("candidate", list(hypotheses))],
        references,
        metrics=GATED,
        test="bs",
        samples=samples,
    )
    checks = metric_checks(comparison, baseline, list(hypotheses) == list(baseline.hypotheses), tolerance, alpha, notes)
    checks.extend(term_checks(terms, baseline, hypotheses, sources, notes))
    if facts is not None and sources is not None:
        checks.extend(fidelity_checks(facts, baseline.hypotheses, hypotheses, sources, references))
    return GateResult(checks, alpha, comparison.samples, notes, baseline.path)


def metric_checks(
    comparison: Comparison,
    baseline: Baseline,
    identical: bool,
    tolerance: dict[str, float],
    alpha: float,
    notes: list[str],
) -> list[GateCheck]:
    """The BLEU and chrF++ checks of a baseline/candidate comparison; re-scoring differences go to ``notes``."""
    checks: list[GateCheck] = []
    for key in GATED:
        result = comparison.result("candidate", key)
        stored = (baseline.scores.get(key) or {}).get("exact")
        if isinstance(stored, (int, float)) and abs(stored - result.baseline) > 1e-9:
            notes.append(
                f"{result.metric} of the baseline re-scored as {result.baseline:.2f} (stored {stored:.2f}: "
                "sacrebleu version or settings changed)"
            )
        drop = -result.delta
        if identical:  # sacrebleu's p for two identical systems is 1/(n+1), an artefact: no test needed
            checks.append(
                GateCheck(
                    result.metric,
                    result.baseline,
                    result.score,
                    tolerance[key],
                    None,
                    False,
                    f"{result.metric} unchanged ({result.score:.2f}, identical output)",
                )
            )
            continue
        failed = drop > tolerance[key] and result.significant(alpha)
        change = (
            f"{result.metric} {'fell' if drop > 0 else 'rose'} {abs(result.delta):.2f} "
            f"({result.baseline:.2f} -> {result.score:.2f}, p={result.p_value:.3f}"
        )
        if failed:
            reason = f"{change} < {alpha}, tolerance {tolerance[key]})"
        elif drop > tolerance[key]:
            reason = f"{change}: not significant at {alpha})"
        else:
            reason = f"{change}, within tolerance {tolerance[key]})"
        checks.append(
            GateCheck(result.metric, result.baseline, result.score, tolerance[key], result.p_value, failed, reason)
        )
    return checks


def term_checks(
    terms: TermSuccess | None,
    baseline: Baseline,
    hypotheses: Sequence[str],
    sources: Sequence[str] | None,
    notes: list[str],
) -> list[GateCheck]:
    """The term-success check (none without a glossary); a changed glossary is noted in ``notes``."""
    stored_terms = baseline.scores.get("terms")
    if terms is None and stored_terms:
        raise EvalError(
            "the baseline checks term success but this run has no glossary to check terms with",
            where=baseline.path,
            hint="pass the glossary the baseline used (--glossary or --terms), or --update-baseline",
        )
    if terms is None:
        return []
    if sources is None:
        raise EvalError("term success needs the source sentences", hint="pass --src")
    if stored_terms and stored_terms.get("signature") != terms.get_signature():
        notes.append(
            "the glossary differs from the baseline's: the baseline's term success is re-checked with the "
            "current glossary"
        )
    base = terms.corpus_score(baseline.hypotheses, sources)
    cand = terms.corpus_score(hypotheses, sources)
    if base.matched == 0:
        return [GateCheck("TermSuccess", None, None, 0.0, None, False, "no glossary term in the sources")]
    failed = cand.found * base.matched < base.found * cand.matched
    lost = sorted(set(cand.missed_by_entry) - set(base.missed_by_entry))
    lost_text = f"; newly missed: {', '.join(lost[:5])}" + (" …" if len(lost) > 5 else "") if lost else ""
    verb = "fell" if failed else ("rose" if cand.found > base.found else "held")
    reason = (
        f"term success {verb} ({base.found}/{base.matched} = {base.score:.1f}% -> "
        f"{cand.found}/{cand.matched} = {cand.score:.1f}%{lost_text if failed else ''})"
    )
    return [GateCheck("TermSuccess", base.score, cand.score, 0.0, None, failed, reason)]


def fidelity_checks(
    facts: FactFidelity,
    base_hypotheses: Sequence[str],
    hypotheses: Sequence[str],
    sources: Sequence[str],
    references: Sequence[str],
) -> list[GateCheck]:
    """Number and name fidelity of the baseline's and the candidate's hypotheses: fail when either falls."""
    base = facts.corpus_score(base_hypotheses, sources, references)
    cand = facts.corpus_score(hypotheses, sources, references)
    checks = []
    for key in ("numbers", "names"):
        b, c = base[key], cand[key]
        if not b.counted:
            checks.append(
                GateCheck(c.name, None, None, 0.0, None, False, f"no {key} of the source kept by the reference")
            )
            continue
        failed = c.fell_from(b)
        verb = "fell" if failed else ("rose" if c.kept > b.kept else "held")
        reason = (
            f"{key} fidelity {verb} ({b.kept}/{b.counted} = {b.score:.1f}% -> {c.kept}/{c.counted} = {c.score:.1f}%)"
        )
        checks.append(GateCheck(c.name, b.score, c.score, 0.0, None, failed, reason))
    return checks
