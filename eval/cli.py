"""``idtrans eval``: score, run, compare and gate.

Thin wrappers around :mod:`idtrans.eval.score`, :mod:`~idtrans.eval.run`,
:mod:`~idtrans.eval.significance` and :mod:`~idtrans.eval.gate`; those import sacrebleu, torch and
the model only when a command runs, so ``idtrans --help`` stays fast.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from idtrans.eval.gate import GateResult
from idtrans.eval.runner import RunOptions, compare_files, gate_files, rewrite_baseline, run_test_set, score_files
from idtrans.eval.score import MetricScore, TermScore
from idtrans.eval.significance import Comparison
from idtrans.options import Quiet
from idtrans.pipeline.layers.factory import BackendName
from idtrans.pipeline.options import Backend, Beams, Glossary, Model, ModelThreads, NoGlossary, NoRerank, WordRounds
from idtrans.progress import ProgressBar
from idtrans.settings import glossary_option

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

eval_app = typer.Typer(
    name="eval",
    help="Score translations against references (BLEU, chrF++, TER, term success), run test sets, compare "
    "systems, gate CI on regressions.",
    no_args_is_help=True,
    add_completion=False,
)


class PairedTestName(str, Enum):
    bs = "bs"
    ar = "ar"


class MetricName(str, Enum):
    bleu = "bleu"
    chrf = "chrf"
    ter = "ter"


# --------------------------------------------------------------------------- printing


def _two_decimals(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _print_scores(
    scores: dict[str, MetricScore],
    terms: TermScore | None,
    *,
    width: int,
    title: str | None = None,
    facts: dict[str, Any] | None = None,
) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("metric", style="bold")
    table.add_column("score", justify="right")
    table.add_column("details", overflow="fold")
    for score in scores.values():
        table.add_row(
            score.name, score.printed(width), score.verbose or ("lower is better" if not score.higher_is_better else "")
        )
    if terms is not None:
        table.add_row("Term success", terms.printed(width) + ("%" if terms.score is not None else ""), terms.verbose())
    for fidelity in (facts or {}).values():
        label = {"numbers": "Number fidelity", "names": "Name fidelity"}[fidelity.key]
        table.add_row(label, fidelity.printed(width) + ("%" if fidelity.score is not None else ""), fidelity.verbose())
    console = _console()
    console.print(table)
    console.print("[dim]signatures:[/dim]")
    for score in scores.values():
        console.print(f"  {score.name}|{score.signature}", style="dim", overflow="fold")
    if terms is not None:
        console.print(f"  {terms.name}|{terms.signature}", style="dim", overflow="fold")
    for fidelity in (facts or {}).values():
        console.print(f"  {fidelity.name}|{fidelity.signature}", style="dim", overflow="fold")


def _print_gate(result: GateResult) -> None:
    from rich.table import Table

    table = Table(title=f"gate against {result.baseline_path}", title_justify="left", show_edge=False, pad_edge=False)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("metric", "left"),
        ("baseline", "right"),
        ("candidate", "right"),
        ("delta", "right"),
        ("p", "right"),
        ("tolerance", "right"),
        ("verdict", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for check in result.checks:
        table.add_row(
            check.metric,
            _two_decimals(check.baseline),
            _two_decimals(check.candidate),
            "n/a" if check.delta is None else f"{check.delta:+.2f}",
            "" if check.p_value is None else f"{check.p_value:.4f}",
            "" if check.tolerance is None else f"{check.tolerance:g}",
            "[red]FAIL[/red]" if check.failed else "[green]ok[/green]",
        )
    console = _console()
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if result.passed:
        console.print(f"[green]{result.summary()}[/green]", overflow="fold")


def _print_comparison(
    comparison: Comparison, keys: list[str], names: list[str], *, test: str, alpha: float, sentences: int
) -> None:
    """The table of ``eval compare``: each system's scores, CI, delta and p-value, then the signatures."""
    from rich.table import Table

    label = "paired bootstrap resampling" if test == "bs" else "approximate randomisation"
    table = Table(
        title=f"{label}, {comparison.samples} samples, {sentences} sentences; baseline: {names[0]}",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        show_lines=False,
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("system", "left"),
        ("metric", "left"),
        ("score", "right"),
        ("μ ± 95% CI", "right"),
        ("Δ", "right"),
        ("p", "right"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify, overflow="fold")
    for i, system in enumerate(comparison.systems):
        for j, key in enumerate(keys):
            r = comparison.results[key][i]
            ci = f"{r.mean:.1f} ± {r.ci:.1f}" if r.mean is not None and r.ci is not None else ""
            if r.is_baseline:
                delta, p_value = "", "(baseline)"
            else:
                delta, p_value = f"{r.delta:+.1f}", f"{r.p_value:.4f}" + ("*" if r.significant(alpha) else "")
            table.add_row(
                system if j == 0 else "", r.metric, f"{r.score:.1f}", ci, delta, p_value, end_section=j == len(keys) - 1
            )
    console = _console()
    console.print(table)
    console.print(
        f"[dim]* p < {alpha}: the difference is unlikely to be chance (it says nothing of which is better: see "
        "Δ).[/dim]"
    )
    for key in keys:
        console.print(f"  [dim]{comparison.results[key][0].metric}|{comparison.signatures[key]}[/dim]", overflow="fold")


def _tolerances(bleu: float, chrf: float) -> dict[str, float]:
    return {"bleu": bleu, "chrf": chrf}


# --------------------------------------------------------------------------- options


def _tolerance_option(name: str, metric: str, prefix: str = "") -> Any:
    """``--tolerance-NAME``: how far ``metric`` may fall; the help starts with ``prefix``."""
    return typer.Option(
        f"--tolerance-{name}",
        min=0,
        help=f"{prefix}{metric} may fall this much (points) before a significant drop fails.",
    )


def _alpha_option(prefix: str = "") -> Any:
    """``--alpha`` of the gate; the help starts with ``prefix``."""
    return typer.Option(
        "--alpha",
        min=0.0001,
        max=0.5,
        help=f"{prefix}p-value below which a drop counts as significant (paired bootstrap).",
    )


ToleranceBleu = Annotated[float, _tolerance_option("bleu", "BLEU")]
ToleranceChrf = Annotated[float, _tolerance_option("chrf", "chrF++")]
GateAlpha = Annotated[float, _alpha_option()]
RunToleranceBleu = Annotated[float, _tolerance_option("bleu", "BLEU", "Gate: ")]
RunToleranceChrf = Annotated[float, _tolerance_option("chrf", "chrF++", "Gate: ")]
RunGateAlpha = Annotated[float, _alpha_option("Gate: ")]

# `idtrans eval run` options.
TestSetName = Annotated[
    str | None,
    typer.Argument(help="Named test set in the data directory (e.g. dev, flores200-devtest); or use --src/--ref."),
]
DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder of NAME.id/NAME.en pairs (and test/NAME.*) (default: $IDTRANS_DATA)."),
]
RunSource = Annotated[
    Path | None,
    typer.Option("--src", "-s", help="Source file (Indonesian, one sentence per line) instead of a named test set."),
]
RunReference = Annotated[
    Path | None, typer.Option("--ref", "-r", help="Reference file (English, line-aligned with --src).")
]
Limit = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=1, help="Fixed subset: only the first N lines of the test set."),
]
TermsGlossary = Annotated[
    Path | None,
    typer.Option("--terms", help="Glossary to check term success with (default: the enforced glossary)."),
]
RunFolder = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Run folder (default: eval-runs/<test set>_<model>_<glossary>_<time>)."),
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite the files of an earlier run in --out.")]
Worst = Annotated[int, typer.Option("--worst", min=1, help="How many worst sentences the HTML report shows.")]
RunBaseline = Annotated[
    Path | None,
    typer.Option("--baseline", help="Gate: fail (exit 1) on a significant regression against this baseline JSON."),
]
RunUpdateBaseline = Annotated[
    bool,
    typer.Option("--update-baseline", help="Write this run as the new --baseline instead of gating against it."),
]
RunJson = Annotated[
    bool,
    typer.Option("--json", help="Print scores.json (with the gate verdict) to stdout instead of tables."),
]


# --------------------------------------------------------------------------- score

#: ``--src`` and ``--glossary`` of ``eval score`` and ``eval gate``: term success needs both.
TermSource = Annotated[
    Path | None,
    typer.Option(
        "--src",
        "-s",
        help="Source (Indonesian) file, line-aligned: needed for term success.",
    ),
]
TermCheckGlossary = Annotated[
    Path | None, typer.Option("--glossary", "-g", help="Glossary YAML to check term success with (needs --src).")
]


@eval_app.command("score", no_args_is_help=True)
def score_command(
    hypothesis: Path = typer.Argument(..., help="Hypothesis file: one translation per line."),
    reference: Path = typer.Argument(..., help="Reference file, line-aligned with the hypotheses."),
    src: TermSource = None,
    glossary: TermCheckGlossary = None,
    strict_terms: bool = typer.Option(
        False, "--strict-terms", help="Term success counts only each entry's rendering, not its 'also' forms."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (scores, signatures) instead of a table."),
    width: int = typer.Option(
        1, "--width", "-w", min=0, max=10, help="Decimal places, as sacrebleu's -w (default 1, like sacrebleu's CLI)."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Also write an HTML report (worst sentences, term failures, score histogram) here."
    ),
    worst: Worst = 25,
) -> None:
    """Score a hypothesis file against a reference: BLEU, chrF++, TER (sacrebleu) and term success.

    The numbers equal `sacrebleu REF -i HYP -m bleu chrf ter --chrf-word-order 2`.
    """
    result = score_files(
        hypothesis, reference, src=src, glossary=glossary, strict_terms=strict_terms, report=report, worst=worst
    )
    if as_json:
        payload: dict[str, Any] = {
            "hypothesis": str(hypothesis),
            "reference": str(reference),
            "source": None if src is None else str(src),
            "sentences": len(result.inputs.reference),
            "scores": {k: v.to_dict(width) for k, v in result.scores.items()},
        }
        if result.terms is not None:
            payload["scores"]["terms"] = result.terms.to_dict(width)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_scores(
            result.scores,
            result.terms,
            width=width,
            title=f"{hypothesis} vs {reference} ({len(result.inputs.reference)} sentences)",
            facts=result.facts,
        )
    if report is not None:
        typer.echo(f"wrote {report}", err=True)


# --------------------------------------------------------------------------- run


@eval_app.command("run")
def run_command(
    test_set: TestSetName = None,
    data_dir: DataDir = None,
    src: RunSource = None,
    ref: RunReference = None,
    limit: Limit = None,
    model: Model = None,
    beams: Beams = 4,
    word_rounds: WordRounds = None,
    no_rerank: NoRerank = False,
    glossary: Glossary = None,
    no_glossary: NoGlossary = False,
    terms: TermsGlossary = None,
    backend: Backend = BackendName.auto,
    threads: ModelThreads = None,
    out: RunFolder = None,
    force: Force = False,
    worst: Worst = 25,
    baseline: RunBaseline = None,
    update_baseline: RunUpdateBaseline = False,
    tolerance_bleu: RunToleranceBleu = 0.5,
    tolerance_chrf: RunToleranceChrf = 0.5,
    alpha: RunGateAlpha = 0.05,
    as_json: RunJson = False,
    quiet: Quiet = False,
) -> None:
    """Translate a test set with a model, score it, and write a run folder with an HTML report.

    The folder holds hypotheses.txt, sentences.jsonl, scores.json and report.html.
    With --baseline it is also the CI regression gate. Term success is checked with the enforced
    glossary, or with --terms; with --no-glossary and no --terms, terms are not checked.
    """
    options = RunOptions(
        test_set=test_set,
        src=src,
        ref=ref,
        data_dir=data_dir,
        limit=limit,
        model=model,
        beams=beams,
        word_rounds=word_rounds,
        rerank=not no_rerank,
        glossary=glossary_option(glossary, no_glossary),
        terms=terms,
        backend=backend.value,
        threads=threads,
        out=out,
        force=force,
        worst=worst,
        baseline=baseline,
        update_baseline=update_baseline,
        tolerance=_tolerances(tolerance_bleu, tolerance_chrf),
        alpha=alpha,
    )
    say = (lambda line: None) if quiet else (lambda line: typer.echo(line, err=True))
    run = run_test_set(options, progress=ProgressBar(enabled=not quiet), say=say)
    result = run.result
    if run.baseline_message:
        say(run.baseline_message)
    if as_json:
        typer.echo(json.dumps(result.scores_json(), ensure_ascii=False, indent=2))
    else:
        seconds = result.meta["timing"]["translate_seconds"]
        title = f"{result.inputs.name}: {len(result.inputs.source_lines)} sentences, {seconds} s"
        _print_scores(result.scores, result.terms, width=1, title=title, facts=result.facts)
        if run.gate is not None:
            _print_gate(run.gate)
    say(f"run folder: {run.folder} (report: {run.paths['report.html']})")
    if run.gate is not None:
        run.gate.raise_if_failed()


# --------------------------------------------------------------------------- compare


@eval_app.command("compare", no_args_is_help=True)
def compare_command(
    hypotheses: list[Path] = typer.Argument(..., help="Two or more hypothesis files; the first is the baseline."),
    ref: Path = typer.Option(..., "--ref", "-r", help="Reference file, line-aligned with every hypothesis file."),
    test: PairedTestName = typer.Option(
        PairedTestName.bs, "--test", help="bs: paired bootstrap resampling; ar: approximate randomisation."
    ),
    samples: int = typer.Option(
        0, "--samples", min=0, help="Resamples (bs) or trials (ar) (default: sacrebleu's 1000 / 10000)."
    ),
    metric: list[MetricName] = typer.Option(
        [MetricName.bleu, MetricName.chrf], "--metric", help="Metric to test (repeatable): bleu, chrf (chrF++), ter."
    ),
    alpha: float = typer.Option(0.05, "--alpha", min=0.0001, max=0.5, help="Significance level for the * mark."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Compare systems against the first one with sacrebleu's paired significance tests.

    Shows each score, its delta from the baseline, the bootstrap mean with its 95% CI, and the p-value
    (same numbers as `sacrebleu REF -i HYP1 HYP2 ... --paired-bs`).
    """
    keys = list(dict.fromkeys(m.value for m in metric))
    comparison, sentences = compare_files(hypotheses, ref, metrics=keys, test=test.value, samples=samples)
    if as_json:
        typer.echo(
            json.dumps(
                {"reference": str(ref), "sentences": sentences, "alpha": alpha, **comparison.to_dict()},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    names = [str(path) for path in hypotheses]
    _print_comparison(comparison, keys, names, test=test.value, alpha=alpha, sentences=sentences)


# --------------------------------------------------------------------------- gate


@eval_app.command("gate", no_args_is_help=True)
def gate_command(
    hypothesis: Path = typer.Argument(..., help="The candidate system's hypothesis file."),
    baseline: Path = typer.Option(
        ..., "--baseline", help="Baseline JSON (written by --update-baseline) to gate against."
    ),
    ref: Path = typer.Option(..., "--ref", "-r", help="Reference file the baseline was scored on."),
    src: TermSource = None,
    glossary: TermCheckGlossary = None,
    update_baseline: bool = typer.Option(
        False, "--update-baseline", help="Write these hypotheses as the new baseline instead of gating."
    ),
    tolerance_bleu: ToleranceBleu = 0.5,
    tolerance_chrf: ToleranceChrf = 0.5,
    alpha: GateAlpha = 0.05,
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Gate a hypothesis file against a committed baseline: exit 1 with a one-line reason on a regression.

    Fails when BLEU or chrF++ falls by more than its tolerance and sacrebleu's paired bootstrap test
    says the drop is significant, or when term success falls at all. A --src file must hold the
    source lines the baseline was translated from.
    """
    if update_baseline:
        typer.echo(rewrite_baseline(hypothesis, baseline, ref, src=src, glossary=glossary), err=True)
        return
    gate = gate_files(
        hypothesis,
        baseline,
        ref,
        src=src,
        glossary=glossary,
        tolerance=_tolerances(tolerance_bleu, tolerance_chrf),
        alpha=alpha,
    )
    if as_json:
        typer.echo(json.dumps(gate.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_gate(gate)
    gate.raise_if_failed()


def register(app: typer.Typer) -> None:
    """Add ``idtrans eval ...`` to the root app."""
    app.add_typer(eval_app, name="eval")
