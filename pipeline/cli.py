"""``idtrans translate``: Indonesian articles in, English out."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from idtrans.errors import InputError
from idtrans.options import Quiet
from idtrans.pipeline import speed_cli
from idtrans.pipeline.layers.factory import BackendName
from idtrans.pipeline.layers.translator import DecodeSettings
from idtrans.pipeline.options import (
    Backend,
    Beams,
    Glossary,
    MemoryFile,
    Model,
    ModelThreads,
    NoCache,
    NoGlossary,
    NoRerank,
    WordRounds,
)
from idtrans.pipeline.scale.archives import is_archive
from idtrans.pipeline.translate import FileOutcome, PathRun, facts_summary, translate_path
from idtrans.progress import ProgressBar
from idtrans.settings import glossary_option
from idtrans.settings import word_rounds as resolve_word_rounds


class OutputFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    bilingual = "bilingual"
    html = "html"
    xliff = "xliff"


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        typer.echo(message, err=True)


#: The options of ``idtrans translate`` (declared once here; the command only lists them).
InputArg = Annotated[
    str,
    typer.Argument(
        help="An Indonesian .txt/.md article or saved web page (.html), a directory of them, or - for stdin."
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Output file (default: stdout); required for a directory input (an output directory)."
    ),
]
FormatOpt = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help=(
            "text: English article; jsonl: one record per sentence; bilingual: Markdown, source then translation;"
            " html: the English article as HTML; xliff: XLIFF 2.1 for post-editing."
        ),
    ),
]
MaxNewTokensOpt = Annotated[
    int | None,
    typer.Option(
        "--max-new-tokens",
        min=1,
        help="Cap on generated tokens per sentence (default: derived from each batch's input length).",
    ),
]
BatchTokensOpt = Annotated[
    int, typer.Option("--batch-tokens", min=64, help="Token budget of one batch (padded source tokens x beams).")
]
NoMemoryOpt = Annotated[
    bool, typer.Option("--no-tm", help="Ignore the translation memory (approved translations are not reused).")
]
KeepBoilerplateOpt = Annotated[
    bool,
    typer.Option(
        "--keep-boilerplate", help="Keep scraped boilerplate lines (related-article links, share prompts, …)."
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Directory input: re-translate files whose output already exists.")
]
EngineOpt = Annotated[
    str,
    typer.Option("--engine", help="local, or ray (idtrans\\[scale]) for directories and JSONL/Parquet archives."),
]
AddressOpt = Annotated[
    str | None,
    typer.Option("--address", help="--engine ray: cluster address (auto, ray://host:10001); default: embedded Ray."),
]
ActorsOpt = Annotated[int, typer.Option("--actors", min=1, help="--engine ray: translator actors.")]
ActorThreadsOpt = Annotated[
    int, typer.Option("--threads-per-actor", min=1, help="--engine ray: CPU threads of each actor's model.")
]


def translate_command(
    input: InputArg,
    output: OutputOpt = None,
    model: Model = None,
    fmt: FormatOpt = OutputFormat.text,
    glossary: Glossary = None,
    no_glossary: NoGlossary = False,
    beams: Beams = 4,
    word_rounds: WordRounds = None,
    no_rerank: NoRerank = False,
    max_new_tokens: MaxNewTokensOpt = None,
    batch_tokens: BatchTokensOpt = 8000,
    backend: Backend = BackendName.auto,
    threads: ModelThreads = None,
    no_cache: NoCache = False,
    tm: MemoryFile = None,
    no_tm: NoMemoryOpt = False,
    keep_boilerplate: KeepBoilerplateOpt = False,
    force: ForceOpt = False,
    quiet: Quiet = False,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    actors: ActorsOpt = 1,
    threads_per_actor: ActorThreadsOpt = 1,
) -> None:
    """Translate Indonesian news articles into English."""
    stack: dict[str, Any] = dict(  # build_stack's arguments, the same for every engine
        model=model,
        settings=DecodeSettings(
            beams=beams,
            max_new_tokens=max_new_tokens,
            batch_tokens=batch_tokens,
            unknown_word_rounds=resolve_word_rounds(word_rounds),
            rerank=not no_rerank,
        ),
        glossary=glossary_option(glossary, no_glossary),
        backend=backend.value,
        threads=threads,
        cache=not no_cache,
    )
    output_options: dict[str, Any] = dict(fmt=fmt.value, force=force, keep_boilerplate=keep_boilerplate)
    if engine != "local" or is_archive(input):
        from idtrans.pipeline.scale.batch import run_batch_command  # Ray stays unimported on the local path

        run_batch_command(
            input,
            output,
            engine=engine,
            address=address,
            actors=actors,
            threads_per_actor=threads_per_actor,
            stack_options=stack,
            quiet=quiet,
            **output_options,
        )
        return
    run = translate_path(
        input,
        output,
        **stack,
        **output_options,
        progress=ProgressBar(enabled=not quiet),
        notice=lambda line: _say(line, quiet),
        memory=False if no_tm else (tm or True),
        on_file=lambda outcome: _report_file(outcome, quiet),
    )
    _report_run(run, input, output, quiet)


def _report_file(outcome: FileOutcome, quiet: bool) -> None:
    """What one input file's reading said: skipped as unreadable, boilerplate removed, page blocks left out."""
    if outcome.status == "failed":
        typer.echo(f"{outcome.source}: skipped, {outcome.error}", err=True)
    for line in outcome.removed:
        _say(f"{outcome.source}:{line.line_no}: removed boilerplate ({line.rule}): {line.text[:70]}", quiet)
    if outcome.dropped:
        _say(
            f"{outcome.source}: the HTML extractor left out {outcome.dropped} page blocks (navigation, "
            f"ads, related links, comments …); `idtrans segment {outcome.source}` lists them",
            quiet,
        )


def _report_run(run: PathRun, input: str, output: Path | None, quiet: bool) -> None:
    """Print the English (stdout input) and the run's summary lines; failed files make the exit status 1."""
    if run.text is not None:
        sys.stdout.write(run.text)
        sys.stdout.flush()
    elif run.directory:
        skipped = f", skipped {run.skipped} already done (--force redoes them)" if run.skipped else ""
        failed = f", {len(run.failed)} failed" if run.failed else ""
        _say(f"translated {run.translated} file(s) into {output}{skipped}{failed}", quiet)
    else:
        _say(f"wrote {output} ({run.outcomes[0].sentences} sentences)", quiet)
    if run.glossary_path is not None:
        terms = run.terms
        _say(
            f"glossary {run.glossary_path.name}: {terms['matched']} terms matched, {terms['applied']} applied, "
            f"{terms['repaired']} repaired, {terms['missed']} missed{facts_summary(terms)}",
            quiet,
        )
    for line in (run.cache_summary, run.memory_summary):
        if line is not None:
            _say(line, quiet)
    if run.failed:
        raise InputError(
            f"{len(run.failed)} of {len(run.outcomes)} file(s) could not be translated (listed above)",
            where=input,
            hint="fix or remove them and rerun: finished files are kept and skipped",
        )


def register(app: typer.Typer) -> None:
    """Add ``translate`` (and the speed commands: ``model``, ``cache``) to the root app."""
    app.command("translate", no_args_is_help=True)(translate_command)
    speed_cli.register(app)
