"""``idtrans eval run``: translate a test set, score it, and write a run folder.

Named test sets resolve from a data directory (``--data-dir`` or ``$IDTRANS_DATA``): the name
``NAME`` means ``DIR/NAME.id`` + ``DIR/NAME.en``, else ``DIR/test/NAME.id`` + ``DIR/test/NAME.en``
(so with ``../shared/corpora``: ``dev``, ``flores200-devtest`` = ``test/flores200-devtest``).
Explicit ``--src``/``--ref`` files always work instead.

``limit`` selects a fixed, documented subset: the first N lines of the test set (the same lines on
every run, so scores and baselines stay comparable).

The run folder holds ``hypotheses.txt`` (one line per source line), ``sentences.jsonl`` (source,
reference, hypothesis, sentence chrF++, glossary terms found/missed), ``scores.json`` (scores with
signatures, model identity, decoding settings, glossary, test set fingerprints, timing) and
``report.html`` (see :mod:`idtrans.eval.report`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from idtrans.errors import EvalError, InputError
from idtrans.eval.fidelity import FactFidelity, FactMisses, FidelityScore
from idtrans.eval.lines import TextFile, check_aligned, lines_digest, read_lines
from idtrans.eval.report import render_report
from idtrans.eval.score import MetricScore, TermScore, TermSuccess, score_corpus, sentence_chrf
from idtrans.io import atomic_write_text
from idtrans.pipeline.layers.factory import build_stack
from idtrans.pipeline.layers.translator import DecodeSettings
from idtrans.progress import Progress
from idtrans.settings import DATA_ENV, DEFAULT_GLOSSARY, GlossarySpec, env
from idtrans.settings import word_rounds as resolve_word_rounds

SOURCE_SUFFIX = ".id"
REFERENCE_SUFFIX = ".en"
RUN_FILES = ("hypotheses.txt", "sentences.jsonl", "scores.json", "report.html")


@dataclass(frozen=True)
class TestSet:
    """A named (or explicit) pair of line-aligned source and reference files."""

    name: str
    source: Path
    reference: Path


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """``--data-dir`` > ``$IDTRANS_DATA``; EvalError when neither names a directory."""
    origin = "--data-dir"
    if data_dir is None:
        value = env(DATA_ENV)
        if not value:
            shared = Path.cwd().parent / "shared" / "corpora"
            example = f" (on this machine: --data-dir {shared})" if shared.is_dir() else ""
            raise EvalError(
                "a named test set needs a data directory",
                hint=f"pass --data-dir DIR or set {DATA_ENV}{example}, or give explicit --src and --ref files",
            )
        data_dir, origin = value, DATA_ENV
    path = Path(data_dir).expanduser()
    if not path.is_dir():
        raise EvalError(
            f"data directory not found ({origin})",
            where=str(path),
            hint=f"point --data-dir or {DATA_ENV} at the folder that holds NAME.id/NAME.en files",
        )
    return path


def available_test_sets(data_dir: Path) -> list[str]:
    """Names that resolve in ``data_dir`` (pairs NAME.id + NAME.en at the top and under test/)."""
    names = []
    for folder, prefix in ((data_dir, ""), (data_dir / "test", "test/")):
        if folder.is_dir():
            for source in sorted(folder.glob(f"*{SOURCE_SUFFIX}")):
                if source.with_suffix(REFERENCE_SUFFIX).is_file():
                    names.append(prefix + source.stem)
    return names


def resolve_test_set(name: str, data_dir: str | Path | None = None) -> TestSet:
    """A test set by name in the data directory (see the module docstring for the rule)."""
    root = resolve_data_dir(data_dir)
    clean = name.strip().strip("/")
    if not clean or ".." in Path(clean).parts or Path(clean).is_absolute():
        raise EvalError(f"invalid test set name {name!r}", hint="use a name such as dev or flores200-devtest")
    for base in (root / clean, root / "test" / clean):
        source, reference = Path(f"{base}{SOURCE_SUFFIX}"), Path(f"{base}{REFERENCE_SUFFIX}")
        if source.is_file() and reference.is_file():
            return TestSet(clean.removeprefix("test/"), source, reference)
    known = available_test_sets(root)
    raise EvalError(
        f"no test set {name!r} in the data directory",
        where=str(root),
        hint=(
            f"available: {', '.join(known)}"
            if known
            else f"expected {clean}{SOURCE_SUFFIX} and {clean}{REFERENCE_SUFFIX}"
        )
        + "; or pass --src and --ref",
    )


@dataclass
class RunInputs:
    """The lines a run translates and scores (after ``limit``), with the files they came from."""

    name: str
    source: TextFile | None
    reference: TextFile
    total_lines: int
    limit: int | None = None

    @property
    def source_lines(self) -> list[str]:
        """The source sentences; EvalError when these inputs have none (scoring without ``--src``)."""
        if self.source is None:
            raise EvalError("this needs the source sentences", where=self.name, hint="pass --src")
        return self.source.lines


def load_inputs(test_set: TestSet, limit: int | None = None) -> RunInputs:
    """Read and check a test set; keep the first ``limit`` lines when given."""
    source = read_lines(test_set.source, role="source")
    reference = read_lines(test_set.reference, role="reference")
    check_aligned(reference, source)
    total = len(source)
    if limit is not None:
        if limit < 1:
            raise EvalError("--limit must be at least 1", hint="pass a positive number of lines")
        source = TextFile(source.path, source.lines[:limit])
        reference = TextFile(reference.path, reference.lines[:limit])
    return RunInputs(test_set.name, source, reference, total, limit if limit is not None and limit < total else None)


@dataclass
class SentenceRecord:
    """One line of the run: what went in, what came out, how it scored."""

    line: int
    source: str
    reference: str
    hypothesis: str
    chrf: float
    terms_found: list[str] = field(default_factory=list)
    terms_missed: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    facts: FactMisses | None = None

    def to_dict(self) -> dict:
        record = {
            "line": self.line,
            "source": self.source,
            "reference": self.reference,
            "hypothesis": self.hypothesis,
            "chrf": round(self.chrf, 4),
            "terms": {
                "matched": self.terms_found + self.terms_missed,
                "found": self.terms_found,
                "missed": self.terms_missed,
                "forbidden": self.forbidden,
            },
        }
        if self.facts is not None:
            record["facts"] = {
                "numbers": self.facts.numbers,
                "names": self.facts.names,
                "missed_numbers": self.facts.missed_numbers,
                "missed_names": self.facts.missed_names,
            }
        if self.info:
            record["info"] = self.info
        return record


@dataclass
class RunResult:
    """Everything a run folder holds, in memory."""

    inputs: RunInputs
    hypotheses: list[str]
    records: list[SentenceRecord]
    scores: dict[str, MetricScore]
    terms: TermScore | None
    meta: dict[str, Any]
    term_metric: TermSuccess | None = None
    facts: dict[str, FidelityScore] | None = None

    def scores_json(self) -> dict:
        payload = {key: score.to_dict() for key, score in self.scores.items()}
        if self.terms is not None:
            payload["terms"] = self.terms.to_dict()
        for key, fidelity in (self.facts or {}).items():
            payload[key] = fidelity.to_dict()
        return {**self.meta, "scores": payload}


def evaluate(
    inputs: RunInputs,
    hypotheses: Sequence[str],
    *,
    term_metric: TermSuccess | None = None,
    infos: Sequence[dict] | None = None,
    meta: dict[str, Any] | None = None,
) -> RunResult:
    """Score ``hypotheses`` of ``inputs`` corpus-wide and per sentence."""
    references = inputs.reference.lines
    sources = inputs.source_lines if inputs.source is not None else [""] * len(references)
    if term_metric is not None and inputs.source is None:
        raise EvalError("term success needs the source sentences", hint="pass --src")
    if len(hypotheses) != len(references):
        raise EvalError(
            f"{len(hypotheses)} hypotheses for {len(references)} references",
            hint="every source line needs exactly one hypothesis line",
        )
    scores = score_corpus(hypotheses, references)
    chrfs = sentence_chrf(hypotheses, references)
    checks = term_metric.sentence_checks(hypotheses, sources) if term_metric else [[] for _ in hypotheses]
    fidelity = FactFidelity(term_metric.glossary if term_metric else None) if inputs.source is not None else None
    misses = fidelity.sentence_misses(hypotheses, sources, references) if fidelity else [None] * len(hypotheses)
    records = []
    for i, (src, ref, hyp, chrf, sentence_checks) in enumerate(zip(sources, references, hypotheses, chrfs, checks)):
        records.append(
            SentenceRecord(
                line=i + 1,
                source=src,
                reference=ref,
                hypothesis=hyp,
                chrf=chrf,
                terms_found=[c.target for c in sentence_checks if c.found],
                terms_missed=[c.target for c in sentence_checks if not c.found],
                forbidden=sorted({form for c in sentence_checks for form in c.forbidden_found}),
                info=_jsonable(infos[i]) if infos else {},
                facts=misses[i],
            )
        )
    terms = term_metric.aggregate(checks) if term_metric else None
    meta = {
        "test_set": {
            "name": inputs.name,
            "source": inputs.source.path if inputs.source is not None else None,
            "reference": inputs.reference.path,
            "lines": len(references),
            "total_lines": inputs.total_lines,
            "limit": inputs.limit,
            "source_sha256": lines_digest(sources) if inputs.source is not None else None,
            "reference_sha256": lines_digest(references),
        },
        **(meta or {}),
    }
    facts = fidelity.aggregate([m for m in misses if m is not None]) if fidelity else None
    return RunResult(inputs, list(hypotheses), records, scores, terms, meta, term_metric, facts)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def translate_inputs(
    inputs: RunInputs,
    *,
    model: str | None,
    beams: int = 4,
    word_rounds: int | None = None,
    rerank: bool = True,
    glossary: GlossarySpec = DEFAULT_GLOSSARY,
    backend: str = "auto",
    threads: int | None = None,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> tuple[list[str], list[dict], dict[str, Any]]:
    """Translate the source lines; returns hypotheses, per-sentence info and run metadata."""
    settings = DecodeSettings(beams=beams, unknown_word_rounds=resolve_word_rounds(word_rounds), rerank=rerank)
    started = time.perf_counter()
    stack = build_stack(
        model, settings=settings, glossary=glossary, backend=backend, threads=threads, progress=progress, notice=notice
    )
    loaded = time.perf_counter()
    translations = stack.translator.translate(inputs.source_lines)
    finished = time.perf_counter()
    if len(translations) != len(inputs.source_lines):
        raise EvalError(
            f"the translator returned {len(translations)} translations for {len(inputs.source_lines)} sentences",
            where=stack.translator.identity,
            hint="this is a pipeline bug: please report it",
        )
    # A hypothesis file has one line per sentence: a translation must not contain a line break.
    hypotheses = [
        " ".join(t.text.split()) if ("\n" in t.text or "\r" in t.text) else t.text.strip() for t in translations
    ]
    infos = [dict(t.info) for t in translations]
    glossary_meta: dict[str, Any] | None = None
    if stack.glossary_path is not None and stack.enforcer is not None:
        glossary_obj = stack.enforcer.glossary
        glossary_meta = {
            "path": str(stack.glossary_path),
            "name": glossary_obj.name,
            "fingerprint": glossary_obj.fingerprint,
            "entries": len(glossary_obj),
            "enforcement": stack.enforcer.summary(),
        }
    seconds = finished - loaded
    meta = {
        "model": {
            "requested": model,
            "identity": getattr(stack.backend, "identity", None),
            "backend": backend,
            "resolved_backend": type(stack.backend).__name__,
        },
        "settings": {**asdict(settings), "describe": settings.describe(), "threads": threads},
        "translator": stack.translator.identity,
        "glossary": glossary_meta,
        "timing": {
            "load_seconds": round(loaded - started, 2),
            "translate_seconds": round(seconds, 2),
            "sentences_per_second": round(len(hypotheses) / seconds, 2) if seconds > 0 else None,
            "cpus": os.cpu_count(),
        },
    }
    return hypotheses, infos, meta


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("idtrans", "sacrebleu", "torch", "transformers", "ctranslate2"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


def default_run_dir(name: str, model: str | None, glossary_on: bool) -> Path:
    """``eval-runs/<test set>_<model>_<glossary|no-glossary>_<UTC time>`` under the current directory."""
    model_name = Path(model.rstrip("/")).name if model else "default-model"
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in f"{name}_{model_name}")
    return Path("eval-runs") / f"{safe}_{'glossary' if glossary_on else 'no-glossary'}_{stamp}"


def prepare_run_dir(path: Path, *, force: bool = False) -> Path:
    """Create the run folder; refuse to overwrite an earlier run's files unless ``force``."""
    if path.exists() and not path.is_dir():
        raise InputError("the run folder path is a file", where=str(path), hint="choose another --out")
    if path.is_dir() and not force:
        clash = [name for name in RUN_FILES if (path / name).exists()]
        if clash:
            raise InputError(
                f"the run folder already holds a run ({', '.join(clash)})",
                where=str(path),
                hint="choose another --out, or pass --force to overwrite it",
            )
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_run(result: RunResult, folder: Path, *, worst: int = 25) -> dict[str, Path]:
    """Write the four run files into ``folder`` (already prepared); returns their paths."""
    paths = {name: folder / name for name in RUN_FILES}
    atomic_write_text(paths["hypotheses.txt"], "".join(hyp + "\n" for hyp in result.hypotheses))
    atomic_write_text(
        paths["sentences.jsonl"], "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in result.records)
    )
    atomic_write_text(paths["scores.json"], json.dumps(result.scores_json(), ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(paths["report.html"], render_report(result, worst=worst))
    return paths
