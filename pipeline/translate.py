"""Translating files and directories: the work behind ``idtrans translate``.

Plain functions that return data; the CLI only parses options and prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from idtrans.corpus.html import load_article
from idtrans.corpus.reader import collect_inputs
from idtrans.errors import InputError
from idtrans.io import atomic_write_text
from idtrans.pipeline.layers.factory import build_stack
from idtrans.pipeline.layers.translator import DecodeSettings, Translation, Translator
from idtrans.pipeline.output.assemble import TranslatedArticle, translate_article
from idtrans.pipeline.output.render import SUFFIXES, render
from idtrans.progress import ProgressBar
from idtrans.settings import DEFAULT_GLOSSARY, GlossarySpec


def term_counts(translations: Iterable[Translation]) -> Counter[str]:
    """Glossary outcomes (matched / applied / repaired / missed; numbers and names; review flags) from the records.

    Counted from ``Translation.info["glossary"]``, which the sentence cache stores too, so a
    re-run answered from the cache reports the same terms as the run that translated them.
    """
    counts: Counter[str] = Counter()
    for translation in translations:
        for term in translation.info.get("glossary", ()):
            counts["matched"] += 1
            counts[term.get("status", "missed")] += 1
        for item in translation.info.get("items", ()):
            if item.get("kind") in ("number", "name"):
                counts[f"{item['kind']}:{item.get('status', 'missed')}"] += 1
        counts["review"] += bool(translation.info.get("review"))
    return counts


def facts_summary(counts: Counter) -> str:
    """``; numbers 12 kept, 3 repaired, 0 missed; names …; 2 sentence(s) flagged for review`` (or empty)."""
    text = ""
    for kind in ("number", "name"):
        kept, repaired, missed = (counts[f"{kind}:{s}"] for s in ("kept", "repaired", "missed"))
        if kept + repaired + missed:
            text += f"; {kind}s {kept} kept, {repaired} repaired, {missed} missed"
    if counts["review"]:
        text += f"; {counts['review']} sentence(s) flagged for review"
    return text


@dataclass
class FileOutcome:
    source: str
    output: Path | None
    status: str  # "translated", "skipped"
    sentences: int = 0
    removed: list = field(default_factory=list)
    result: TranslatedArticle | None = None
    terms: Counter = field(default_factory=Counter)
    dropped: int = 0  # page blocks the HTML extractor left out (a saved web page)


def translate_file(path: str | Path, translator: Translator, *, keep_boilerplate: bool = False) -> FileOutcome:
    article = load_article(path, keep_boilerplate=keep_boilerplate)
    result = translate_article(article, translator)
    return FileOutcome(
        article.source,
        None,
        "translated",
        len(result.sentences),
        list(article.removed),
        result,
        term_counts(r.translation for r in result.sentences),
    )


def output_path_for(source: Path, root: Path, out_dir: Path, fmt: str) -> Path:
    relative = source.relative_to(root)
    return out_dir / relative.parent / (relative.stem + SUFFIXES[fmt])


def plan_directory(root: Path, out_dir: Path, fmt: str) -> list[tuple[Path, Path]]:
    """Pairs of (input file, output file) for a directory run, refusing to overwrite inputs."""
    pairs = [(source, output_path_for(source, root, out_dir, fmt)) for source in collect_inputs(root)]
    inputs = {source.resolve() for source, _ in pairs}
    for _, target in pairs:
        if target.resolve() in inputs:
            raise InputError(
                "an output file would overwrite an input file",
                where=str(target),
                hint="choose an output directory outside the input directory (-o DIR)",
            )
    return pairs


def translate_directory(
    root: Path,
    out_dir: Path,
    translator: Translator,
    *,
    fmt: str,
    force: bool = False,
    keep_boilerplate: bool = False,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Translate each file of ``root`` into ``out_dir``; finished files are skipped unless ``force``.

    Each output is written atomically as soon as its file is done, so an interrupted run
    leaves only complete files and a rerun resumes where it stopped. Memory stays bounded by
    one article at a time.
    """
    outcomes = []
    for source, target in plan_directory(root, out_dir, fmt):
        if target.exists() and not force:
            outcome = FileOutcome(str(source), target, "skipped")
        else:
            outcome = translate_file(source, translator, keep_boilerplate=keep_boilerplate)
            assert outcome.result is not None  # translate_file always returns the translated article
            atomic_write_text(target, render(outcome.result, fmt))
            outcome.output = target
            outcome.result = None  # keep memory bounded on large directories
        outcomes.append(outcome)
        if on_file:
            on_file(outcome)
    return outcomes


@dataclass
class PathRun:
    """What :func:`translate_path` did: per-file outcomes, glossary outcomes, and the English for stdout."""

    outcomes: list[FileOutcome]
    terms: Counter[str]
    glossary_path: Path | None
    cache_summary: str | None
    memory_summary: str | None = None  # the translation memory's line, when its file exists
    directory: bool = False  # the input was a directory (outputs under ``output``)
    text: str | None = None  # the rendered output of a single input written to stdout (no ``output``)

    @property
    def translated(self) -> int:
        return sum(outcome.status == "translated" for outcome in self.outcomes)

    @property
    def skipped(self) -> int:
        return len(self.outcomes) - self.translated


def check_paths(input: str, output: Path | None) -> bool:
    """Refuse contradictory input/output paths before any work; True when ``input`` is a directory."""
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
    return is_directory


def translate_path(
    input: str,
    output: Path | None,
    *,
    model: str | None = None,
    glossary: GlossarySpec = DEFAULT_GLOSSARY,
    settings: DecodeSettings = DecodeSettings(),
    backend: str = "auto",
    threads: int | None = None,
    cache: bool = True,
    fmt: str = "text",
    force: bool = False,
    keep_boilerplate: bool = False,
    progress: ProgressBar | None = None,
    notice: Callable[[str], None] | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    memory: bool | str | Path = False,
) -> PathRun:
    """The work of ``idtrans translate``: an article file, ``-`` (stdin) or a directory of articles.

    Paths are checked and a single article is read before the model loads (bad input fails fast).
    A directory is translated into ``output`` file by file (see :func:`translate_directory`); a single
    article is written atomically to ``output``, or returned as ``text`` when ``output`` is ``None``.
    ``on_file`` is called with each file's outcome (its ``removed`` boilerplate included) as soon as
    it is known: for a single article before translation starts. ``memory``: the translation memory
    as the top layer (see :func:`~idtrans.pipeline.layers.factory.build_stack`).
    """
    progress = progress or ProgressBar(enabled=False)
    is_directory = check_paths(input, output)
    article = None if is_directory else load_article(input, keep_boilerplate=keep_boilerplate)
    stack = build_stack(
        model,
        settings=settings,
        glossary=glossary,
        backend=backend,
        threads=threads,
        cache=cache,
        progress=None if is_directory else progress,
        notice=notice,
        memory=memory,
    )
    run = PathRun([], Counter(), stack.glossary_path, None, directory=is_directory)
    try:
        if article is None:
            assert output is not None  # check_paths: a directory input needs an output directory
            progress.start(len(collect_inputs(input)), "files")

            def advance(outcome: FileOutcome) -> None:
                progress(1)
                if on_file:
                    on_file(outcome)

            run.outcomes = translate_directory(
                Path(input),
                output,
                stack.translator,
                fmt=fmt,
                force=force,
                keep_boilerplate=keep_boilerplate,
                on_file=advance,
            )
            run.terms = sum((outcome.terms for outcome in run.outcomes), Counter())
        else:
            outcome = FileOutcome(
                article.source, output, "translated", removed=list(article.removed), dropped=len(article.dropped)
            )
            if on_file:
                on_file(outcome)
            progress.start(article.sentence_count, "sentences")
            result = translate_article(article, stack.translator)
            progress.stop()
            outcome.sentences = len(result.sentences)
            outcome.terms = run.terms = term_counts(item.translation for item in result.sentences)
            text = render(result, fmt)
            if output is None:
                run.text = text
            else:
                atomic_write_text(output, text)
            run.outcomes = [outcome]
    finally:
        progress.stop()
    run.cache_summary = stack.cache.summary_line() if stack.cache is not None else None
    if stack.memory is not None and stack.memory.memory.path.exists():
        run.memory_summary = stack.memory.summary_line()
    return run
