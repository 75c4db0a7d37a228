"""Translating files and directories: the work behind ``idtrans translate``.

Plain functions that return data; the CLI only parses options and prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from idtrans.corpus.html import load_article
from idtrans.errors import InputError
from idtrans.pipeline.assemble import TranslatedArticle, translate_article
from idtrans.pipeline.output import SUFFIXES, render, write_atomic
from idtrans.pipeline.translator import Translation, Translator


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
    from idtrans.corpus.reader import collect_inputs

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
            write_atomic(target, render(outcome.result, fmt))
            outcome.output = target
            outcome.result = None  # keep memory bounded on large directories
        outcomes.append(outcome)
        if on_file:
            on_file(outcome)
    return outcomes
