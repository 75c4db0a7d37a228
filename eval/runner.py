"""The work behind ``idtrans eval run``, ``score`` and ``gate``: one call each.

:func:`run_test_set` checks the options, reads the test set (before any model loads), translates,
scores, gates against a baseline when asked, and writes the run folder; the CLI only prints what it
returns. Tests and a server call the same function. :func:`score_files`, :func:`gate_files` and
:func:`rewrite_baseline` and :func:`compare_files` do the same for hypothesis files that are already
translated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from idtrans.errors import EvalError, InputError
from idtrans.eval.fidelity import FactFidelity
from idtrans.eval.gate import (
    DEFAULT_ALPHA,
    Baseline,
    GateResult,
    check_same_test_set,
    load_baseline,
    make_baseline,
    run_gate,
    write_baseline,
)
from idtrans.eval.lines import TextFile, check_aligned, read_lines
from idtrans.eval.report import render_report
from idtrans.eval.run import (
    RunInputs,
    RunResult,
    TestSet,
    default_run_dir,
    evaluate,
    load_inputs,
    prepare_run_dir,
    resolve_test_set,
    translate_inputs,
    versions,
    write_run,
)
from idtrans.eval.score import TermSuccess, load_term_metric
from idtrans.eval.significance import Comparison, compare_systems
from idtrans.io import atomic_write_text
from idtrans.progress import ProgressBar
from idtrans.settings import DEFAULT_GLOSSARY, GlossarySpec, resolve_glossary


@dataclass
class RunOptions:
    """What ``idtrans eval run`` was asked to do (the defaults are the command's)."""

    test_set: str | None = None
    src: Path | None = None
    ref: Path | None = None
    data_dir: Path | None = None
    limit: int | None = None
    model: str | None = None
    beams: int = 4
    word_rounds: int | None = None  # None: $IDTRANS_WORD_ROUNDS, else 3
    rerank: bool = True  # with the model's reverse model, when it declares one
    glossary: GlossarySpec = DEFAULT_GLOSSARY
    terms: Path | None = None
    backend: str = "auto"
    threads: int | None = None
    out: Path | None = None
    force: bool = False
    worst: int = 25
    baseline: Path | None = None
    update_baseline: bool = False
    tolerance: dict[str, float] = field(default_factory=lambda: {"bleu": 0.5, "chrf": 0.5})
    alpha: float = 0.05


@dataclass
class TestSetRun:
    """What :func:`run_test_set` did: the scored run, the gate verdict, and where the files are."""

    result: RunResult
    folder: Path
    paths: dict[str, Path]
    gate: GateResult | None = None
    baseline_message: str | None = None


def choose_test_set(options: RunOptions) -> TestSet:
    """A named test set (in the data directory) or explicit ``--src``/``--ref`` files."""
    if options.test_set is not None and (options.src is not None or options.ref is not None):
        raise InputError("give a named test set or --src/--ref, not both", hint="drop one of them")
    if options.test_set is not None:
        return resolve_test_set(options.test_set, options.data_dir)
    src, ref = options.src, options.ref
    if src is None or ref is None:
        raise InputError(
            "no test set: name one (e.g. flores200-devtest) or pass both --src and --ref",
            hint="idtrans eval run flores200-devtest --data-dir DIR",
        )
    name = ref.stem if ref.suffix else ref.name
    if name.endswith((".en", ".ref")):
        name = Path(name).stem
    return TestSet(name, src, ref)


def _term_metric(options: RunOptions, gate_baseline: Baseline | None) -> TermSuccess | None:
    term_path = options.terms if options.terms is not None else resolve_glossary(options.glossary)
    term_metric = load_term_metric(term_path) if term_path is not None else None
    if gate_baseline is not None and term_metric is None and gate_baseline.scores.get("terms"):
        raise EvalError(
            "the baseline checks term success but this run has no glossary to check terms with",
            where=str(options.baseline),
            hint="pass the glossary the baseline used (--glossary or --terms), or --update-baseline",
        )
    return term_metric


def run_test_set(
    options: RunOptions,
    *,
    progress: ProgressBar | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> TestSetRun:
    """Translate a test set, score it, gate it (``baseline``), and write the run folder."""
    if options.update_baseline and options.baseline is None:
        raise InputError("--update-baseline needs --baseline FILE", hint="name the baseline file to write")
    inputs = load_inputs(choose_test_set(options), options.limit)  # read and check before loading a model
    gate_baseline = None
    if options.baseline is not None and not options.update_baseline:
        gate_baseline = load_baseline(options.baseline)
        check_same_test_set(gate_baseline, inputs.reference.lines, inputs.source_lines)
    term_metric = _term_metric(options, gate_baseline)
    default_folder = default_run_dir(inputs.name, options.model, options.glossary is not None)
    folder = prepare_run_dir(options.out or default_folder, force=options.force)
    say(
        f"translating {len(inputs.source_lines)} sentences of {inputs.name}"
        + (f" (first {inputs.limit})" if inputs.limit else "")
    )
    progress = progress or ProgressBar(enabled=False)
    progress.start(len(inputs.source_lines), "sentences")
    started = time.perf_counter()
    try:
        hypotheses, infos, meta = translate_inputs(
            inputs,
            model=options.model,
            beams=options.beams,
            word_rounds=options.word_rounds,
            rerank=options.rerank,
            glossary=options.glossary,
            backend=options.backend,
            threads=options.threads,
            progress=progress,
            notice=say,
        )
    finally:
        progress.stop()
    meta["created"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta["versions"] = versions()
    result = evaluate(inputs, hypotheses, term_metric=term_metric, infos=infos, meta=meta)
    run = TestSetRun(result, folder, {})
    if gate_baseline is not None:
        run.gate = run_gate(
            gate_baseline,
            hypotheses,
            inputs.reference.lines,
            sources=inputs.source_lines,
            terms=term_metric,
            tolerance=options.tolerance,
            alpha=options.alpha,
            candidate_meta=result.meta,
            facts=fact_metric(term_metric),
        )
        result.meta["gate"] = run.gate.to_dict()
    result.meta["timing"]["total_seconds"] = round(time.perf_counter() - started, 2)
    run.paths = write_run(result, folder, worst=options.worst)
    if options.update_baseline and options.baseline is not None:
        run.baseline_message = update_baseline(options.baseline, result)
    return run


def fact_metric(term_metric: TermSuccess | None) -> FactFidelity:
    """Number and name fidelity, with the glossary of the term check (its spans are not names)."""
    return FactFidelity(term_metric.glossary if term_metric is not None else None)


def update_baseline(path: Path, result: RunResult) -> str:
    """Write ``result`` as the new baseline at ``path``; returns a line saying what changed.

    A file at ``path`` that is not a readable baseline is never overwritten: that is an InputError
    (it may be the user's data, or a baseline damaged in a merge), so nothing is lost.
    """
    old = None
    if path.exists():
        try:
            old = load_baseline(path)
        except InputError as error:
            raise InputError(
                f"refusing to overwrite a file that is not a readable baseline ({error.message})",
                where=error.where or str(path),
                hint=f"move it aside (e.g. mv {path} {path}.old) or name another --baseline file, then run again",
            ) from error
    meta = {k: v for k, v in result.meta.items() if k not in ("gate", "timing")}
    meta["timing"] = result.meta.get("timing")
    inputs: RunInputs = result.inputs
    new = make_baseline(
        result.hypotheses,
        inputs.reference.lines,
        inputs.source.lines if inputs.source is not None else None,
        scores=result.scores,
        terms=result.terms,
        meta=meta,
        facts=result.facts,
    )
    write_baseline(path, new)
    change = ""
    if old is not None:
        bits = []
        for key in ("bleu", "chrf", "ter", "terms", "numbers", "names"):
            before = (old.scores.get(key) or {}).get("score")
            after = (new.scores.get(key) or {}).get("score")
            if before is not None or after is not None:
                bits.append(f"{key} {before} -> {after}")
        change = " (" + ", ".join(bits) + ")"
    return f"baseline written: {path}{change}; commit it to make it the new reference"


# --------------------------------------------------------------------------- files already translated


def read_scoring_inputs(
    hypothesis: Path, reference: Path, src: Path | None, glossary: Path | None, *, strict: bool = False
) -> tuple[TextFile, TextFile, TextFile | None, TermSuccess | None]:
    """Read reference, hypotheses and (optional) source, check they align, load the term metric."""
    if glossary is not None and src is None:
        raise InputError("term success needs the source sentences", where=str(glossary), hint="add --src SOURCE_FILE")
    ref = read_lines(reference, role="reference")
    hyp = read_lines(hypothesis, role="hypothesis")
    check_aligned(ref, hyp)
    source = None
    if src is not None:
        source = read_lines(src, role="source")
        check_aligned(ref, source)
    term_metric = load_term_metric(glossary, strict=strict) if glossary is not None else None
    return ref, hyp, source, term_metric


def _score(
    hypothesis: Path, reference: Path, name: str, src: Path | None, glossary: Path | None, strict: bool = False
) -> RunResult:
    ref, hyp, source, term_metric = read_scoring_inputs(hypothesis, reference, src, glossary, strict=strict)
    inputs = RunInputs(name, source, ref, len(ref))
    return evaluate(inputs, hyp.lines, term_metric=term_metric, meta={"hypotheses_file": str(hypothesis)})


def score_files(
    hypothesis: Path,
    reference: Path,
    *,
    src: Path | None = None,
    glossary: Path | None = None,
    strict_terms: bool = False,
    report: Path | None = None,
    worst: int = 25,
) -> RunResult:
    """Score a hypothesis file against a reference (and term success with a glossary and the sources);
    with ``report``, also write the HTML report there."""
    result = _score(hypothesis, reference, reference.name, src, glossary, strict_terms)
    if report is not None:
        atomic_write_text(report, render_report(result, worst=worst, title=f"idtrans evaluation: {hypothesis.name}"))
    return result


def rewrite_baseline(
    hypothesis: Path, baseline: Path, reference: Path, *, src: Path | None = None, glossary: Path | None = None
) -> str:
    """Score a hypothesis file and write it as the new baseline; returns a line saying what changed."""
    return update_baseline(baseline, _score(hypothesis, reference, Path(reference).stem, src, glossary))


def gate_files(
    hypothesis: Path,
    baseline: Path,
    reference: Path,
    *,
    src: Path | None = None,
    glossary: Path | None = None,
    tolerance: dict[str, float] | None = None,
    alpha: float = DEFAULT_ALPHA,
) -> GateResult:
    """Gate a hypothesis file against a committed baseline file: the verdict, not yet raised."""
    ref, hyp, source, term_metric = read_scoring_inputs(hypothesis, reference, src, glossary)
    return run_gate(
        load_baseline(baseline),
        hyp.lines,
        ref.lines,
        sources=None if source is None else source.lines,
        terms=term_metric,
        tolerance=tolerance,
        alpha=alpha,
        facts=fact_metric(term_metric),
    )


def compare_files(
    hypotheses: Sequence[Path], reference: Path, *, metrics: Sequence[str], test: str = "bs", samples: int = 0
) -> tuple[Comparison, int]:
    """sacrebleu's paired significance test of two or more hypothesis files (the first is the baseline)
    against one reference; returns the comparison and the number of sentences."""
    if len(hypotheses) < 2:
        raise InputError(
            "compare needs at least two hypothesis files", hint="pass the baseline first, then the other systems"
        )
    ref = read_lines(reference, role="reference")
    files = [read_lines(path, role="hypothesis") for path in hypotheses]
    check_aligned(ref, *files)
    names = [str(path) for path in hypotheses]
    if len(set(names)) != len(names):
        raise InputError("the same hypothesis file is given twice", hint="pass each system once")
    comparison = compare_systems(
        [(f.path, f.lines) for f in files], ref.lines, metrics=metrics, test=test, samples=samples
    )
    return comparison, len(ref)
