"""``idtrans translate``: Indonesian articles in, English out."""

from __future__ import annotations

import sys
from collections import Counter
from enum import Enum
from pathlib import Path

import typer

from idtrans.errors import InputError
from idtrans.pipeline.factory import BackendName
from idtrans.pipeline.scale import is_archive
from idtrans.pipeline.translate import FileOutcome
from idtrans.progress import ProgressBar


class OutputFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    bilingual = "bilingual"
    html = "html"
    xliff = "xliff"


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        typer.echo(message, err=True)


def _report_removed(source: str, removed: list, quiet: bool) -> None:
    for line in removed:
        _say(f"{source}:{line.line_no}: removed boilerplate ({line.rule}): {line.text[:70]}", quiet)


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
        help="text: English article; jsonl: one record per sentence; bilingual: Markdown, source then translation; html: the English article as HTML; xliff: XLIFF 2.1 for post-editing.",
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
        "local", "--engine", help="local, or ray (idtrans[scale]) for directories and JSONL/Parquet archives."
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
    from idtrans.corpus.html import load_article
    from idtrans.pipeline.assemble import translate_article
    from idtrans.pipeline.factory import build_stack
    from idtrans.pipeline.output import render, write_atomic
    from idtrans.pipeline.translate import facts_summary, term_counts, translate_directory
    from idtrans.pipeline.translator import DecodeSettings

    if glossary is not None and no_glossary:
        raise InputError("--glossary and --no-glossary contradict each other", hint="pass one of them")
    source_path = Path(input)
    is_directory = input != "-" and source_path.is_dir()
    if is_directory and output is None:
        raise InputError("a directory input needs an output directory", where=input, hint="add -o OUTPUT_DIR")
    if is_directory and output is not None and output.exists() and not output.is_dir():
        raise InputError(
            "the output for a directory input must be a directory",
            where=str(output),
            hint="choose a directory path for -o",
        )
    if (
        not is_directory
        and output is not None
        and input != "-"
        and output.exists()
        and output.resolve() == source_path.resolve()
    ):
        raise InputError("the output file is the input file", where=str(output), hint="choose another -o path")
    if engine != "local" or is_archive(input):
        from idtrans.pipeline.batch_cli import run_batch_command

        return run_batch_command(
            input,
            output,
            engine=engine,
            address=address,
            actors=actors,
            threads_per_actor=threads_per_actor,
            stack_options=dict(
                model=model,
                settings=dict(beams=beams, max_new_tokens=max_new_tokens, batch_tokens=batch_tokens),
                glossary=False if no_glossary else glossary,
                backend=backend.value,
                threads=threads,
                cache=not no_cache,
            ),
            fmt=fmt.value,
            force=force,
            keep_boilerplate=keep_boilerplate,
            quiet=quiet,
        )
    if not is_directory:
        article = load_article(input, keep_boilerplate=keep_boilerplate)  # read first: bad input fails fast

    progress = ProgressBar(enabled=not quiet)
    settings = DecodeSettings(beams=beams, max_new_tokens=max_new_tokens, batch_tokens=batch_tokens)
    stack = build_stack(
        model,
        settings=settings,
        glossary=False if no_glossary else glossary,
        backend=backend.value,
        threads=threads,
        cache=not no_cache,
        progress=None if is_directory else progress,
        notice=lambda line: typer.echo(line, err=True),
        memory=False if no_tm else (tm or True),
    )
    try:
        if is_directory:
            outcomes_seen = []

            def on_file(outcome: FileOutcome) -> None:
                outcomes_seen.append(outcome)
                progress(1)
                _report_removed(outcome.source, outcome.removed, quiet)

            from idtrans.corpus.reader import collect_inputs

            progress.start(len(collect_inputs(source_path)), "files")
            assert output is not None  # checked above: a directory input needs -o
            outcomes = translate_directory(
                source_path,
                output,
                stack.translator,
                fmt=fmt.value,
                force=force,
                keep_boilerplate=keep_boilerplate,
                on_file=on_file,
            )
            progress.stop()
            terms = sum((o.terms for o in outcomes), Counter())
            done = sum(o.status == "translated" for o in outcomes)
            skipped = len(outcomes) - done
            _say(
                f"translated {done} file(s) into {output}"
                + (f", skipped {skipped} already done (--force redoes them)" if skipped else ""),
                quiet,
            )
        else:
            _report_removed(article.source, article.removed, quiet)
            if article.dropped:
                _say(
                    f"{article.source}: the HTML extractor left out {len(article.dropped)} page blocks (navigation, "
                    f"ads, related links, comments …); `idtrans segment {article.source}` lists them",
                    quiet,
                )
            progress.start(article.sentence_count, "sentences")
            result = translate_article(article, stack.translator)
            terms = term_counts(r.translation for r in result.sentences)
            progress.stop()
            text = render(result, fmt.value)
            if output is None:
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                write_atomic(output, text)
                _say(f"wrote {output} ({len(result.sentences)} sentences)", quiet)
    finally:
        progress.stop()
    if stack.glossary_path is not None:
        _say(
            f"glossary {stack.glossary_path.name}: {terms['matched']} terms matched, {terms['applied']} applied, "
            f"{terms['repaired']} repaired, {terms['missed']} missed{facts_summary(terms)}",
            quiet,
        )
    if stack.cache is not None:
        _say(stack.cache.summary_line(), quiet)
    if stack.memory is not None and stack.memory.memory.path.exists():
        _say(stack.memory.summary_line(), quiet)


def register(app: typer.Typer) -> None:
    """Add ``translate`` (and the speed commands: ``model``, ``cache``) to the root app."""
    from idtrans.pipeline import speed_cli

    app.command("translate", no_args_is_help=True)(translate_command)
    speed_cli.register(app)
