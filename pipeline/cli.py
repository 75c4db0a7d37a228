"""``idtrans translate``: Indonesian articles in, English out."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from idtrans.errors import InputError
from idtrans.pipeline import speed_cli
from idtrans.pipeline.layers.factory import BackendName
from idtrans.pipeline.layers.translator import DecodeSettings
from idtrans.pipeline.scale.archives import is_archive
from idtrans.pipeline.translate import FileOutcome, facts_summary, translate_path
from idtrans.progress import ProgressBar
from idtrans.settings import glossary_option


class OutputFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    bilingual = "bilingual"
    html = "html"
    xliff = "xliff"


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        typer.echo(message, err=True)


def translate_command(
    input: str = typer.Argument(
        ..., help="An Indonesian .txt/.md article or saved web page (.html), a directory of them, or - for stdin."
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Output file (default: stdout); required for a directory input (an output directory).",
    ),
    model: str | None = typer.Option(
        None,
        "--model",
        "-m",
        help="Hugging Face model id or local MarianMT directory (default: $IDTRANS_MODEL, else "
        "Helsinki-NLP/opus-mt-id-en, else the bundled model).",
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.text,
        "--format",
        "-f",
        help=(
            "text: English article; jsonl: one record per sentence; bilingual: Markdown, source then translation;"
            " html: the English article as HTML; xliff: XLIFF 2.1 for post-editing."
        ),
    ),
    glossary: Path | None = typer.Option(
        None,
        "--glossary",
        "-g",
        help="Glossary YAML to enforce (default: $IDTRANS_GLOSSARY, else the bundled starter glossary).",
    ),
    no_glossary: bool = typer.Option(False, "--no-glossary", help="Translate without glossary enforcement."),
    beams: int = typer.Option(4, "--beams", min=1, max=32, help="Beam size."),
    max_new_tokens: int | None = typer.Option(
        None,
        "--max-new-tokens",
        min=1,
        help="Cap on generated tokens per sentence (default: derived from each batch's input length).",
    ),
    batch_tokens: int = typer.Option(
        8000, "--batch-tokens", min=64, help="Token budget of one batch (padded source tokens x beams)."
    ),
    backend: BackendName = typer.Option(
        BackendName.auto,
        "--backend",
        help="torch, ct2 (CTranslate2), or auto: ct2 when the model has a converted copy.",
    ),
    threads: int | None = typer.Option(
        None, "--threads", min=1, help="CPU threads for the model (default: all cores)."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the persistent sentence cache."),
    tm: Path | None = typer.Option(
        None, "--tm", help="Translation memory file (default: $IDTRANS_TM, else ~/.local/share/idtrans/memory.sqlite3)."
    ),
    no_tm: bool = typer.Option(
        False, "--no-tm", help="Ignore the translation memory (approved translations are not reused)."
    ),
    keep_boilerplate: bool = typer.Option(
        False, "--keep-boilerplate", help="Keep scraped boilerplate lines (related-article links, share prompts, …)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Directory input: re-translate files whose output already exists."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no informational lines on stderr."),
    engine: str = typer.Option(
        "local", "--engine", help="local, or ray (idtrans\\[scale]) for directories and JSONL/Parquet archives."
    ),
    address: str | None = typer.Option(
        None, "--address", help="--engine ray: cluster address (auto, ray://host:10001); default: embedded Ray."
    ),
    actors: int = typer.Option(1, "--actors", min=1, help="--engine ray: translator actors."),
    threads_per_actor: int = typer.Option(
        1, "--threads-per-actor", min=1, help="--engine ray: CPU threads of each actor's model."
    ),
) -> None:
    """Translate Indonesian news articles into English."""
    glossary_spec = glossary_option(glossary, no_glossary)
    if engine != "local" or is_archive(input):
        from idtrans.pipeline.scale.batch import run_batch_command  # Ray stays unimported on the local path

        run_batch_command(
            input,
            output,
            engine=engine,
            address=address,
            actors=actors,
            threads_per_actor=threads_per_actor,
            stack_options=dict(
                model=model,
                settings=dict(beams=beams, max_new_tokens=max_new_tokens, batch_tokens=batch_tokens),
                glossary=glossary_spec,
                backend=backend.value,
                threads=threads,
                cache=not no_cache,
            ),
            fmt=fmt.value,
            force=force,
            keep_boilerplate=keep_boilerplate,
            quiet=quiet,
        )
        return

    def on_file(outcome: FileOutcome) -> None:
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

    run = translate_path(
        input,
        output,
        model=model,
        glossary=glossary_option(glossary, no_glossary),
        settings=DecodeSettings(beams=beams, max_new_tokens=max_new_tokens, batch_tokens=batch_tokens),
        backend=backend.value,
        threads=threads,
        cache=not no_cache,
        fmt=fmt.value,
        force=force,
        keep_boilerplate=keep_boilerplate,
        progress=ProgressBar(enabled=not quiet),
        notice=lambda line: _say(line, quiet),
        memory=False if no_tm else (tm or True),
        on_file=on_file,
    )
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
    if run.cache_summary is not None:
        _say(run.cache_summary, quiet)
    if run.memory_summary is not None:
        _say(run.memory_summary, quiet)
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
