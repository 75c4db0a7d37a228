"""Translating files and directories: the work behind ``idtrans translate``.

Plain functions that return data; the CLI only parses options and prints.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from idtrans.corpus.article import Article
from idtrans.corpus.html import load_article
from idtrans.corpus.reader import collect_inputs
from idtrans.errors import InputError, first_line
from idtrans.io import atomic_write_text
from idtrans.pipeline.layers.factory import build_stack
from idtrans.pipeline.layers.translator import DecodeSettings, Translation, Translator
from idtrans.pipeline.output.assemble import translate_article
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
    status: str  # "translated", "skipped", "failed"
    sentences: int = 0
    removed: list = field(default_factory=list)
    terms: Counter = field(default_factory=Counter)
    dropped: int = 0  # page blocks the HTML extractor left out (a saved web page)
    error: str = ""  # why a "failed" file could not be translated (one line)


def output_path_for(source: Path, root: Path, out_dir: Path, fmt: str, *, keep_suffix: bool = False) -> Path:
    """``out_dir/<relative folder>/<stem><format suffix>``; with ``keep_suffix`` the input suffix stays in
    the name (``a.md`` → ``a.md.en.txt``), which :func:`plan_directory` uses when two inputs share a stem."""
    relative = source.relative_to(root)
    stem = relative.name if keep_suffix else relative.stem
    return out_dir / relative.parent / (stem + SUFFIXES[fmt])


def _is_own_output(source: Path, root: Path, out_dir: Path) -> bool:
    """True for a file of a directory run's own output when ``out_dir`` is ``root`` or inside it.

    Inside: every file under ``out_dir`` is output. Equal: the files named like an output
    (``*.en.txt``, ``*.en.md``, ``*.en.html``, …), so a rerun never takes its outputs as inputs.
    """
    out, top = out_dir.resolve(), root.resolve()
    if out == top:
        return source.name.lower().endswith(tuple(SUFFIXES.values()))
    return out in source.resolve().parents


def plan_directory(
    root: Path, out_dir: Path, fmt: str, *, notice: Callable[[str], None] | None = None
) -> list[tuple[Path, Path]]:
    """Pairs of (input file, output file) for a directory run, refusing to overwrite inputs.

    ``out_dir`` may be ``root`` or a folder inside it: the run's own outputs are never taken as
    inputs. Inputs whose outputs would share a name (``a.txt`` and ``a.md``) keep their suffix
    in the output name (``a.txt.en.txt``, ``a.md.en.txt``); ``notice`` is told about each such clash.
    """
    sources = [source for source in collect_inputs(root) if not _is_own_output(source, root, out_dir)]
    if not sources:
        raise InputError(
            "no article files in this directory besides idtrans output",
            where=str(root),
            hint="add .txt/.md/.html articles, or pass the directory that holds them",
        )
    targets = [output_path_for(source, root, out_dir, fmt) for source in sources]
    groups: dict[Path, list[int]] = {}
    for index, target in enumerate(targets):
        groups.setdefault(target, []).append(index)
    for target, members in groups.items():
        if len(members) < 2:
            continue
        for index in members:
            targets[index] = output_path_for(sources[index], root, out_dir, fmt, keep_suffix=True)
        if notice:
            names = " and ".join(str(sources[i]) for i in members)
            renamed = ", ".join(targets[i].name for i in members)
            both = "both" if len(members) == 2 else "all"
            notice(f"note: {names} would {both} write {target.name}: writing {renamed} instead")
    inputs = {source.resolve() for source in sources}
    seen: set[Path] = set()
    for target in targets:
        resolved = target.resolve()
        if resolved in inputs or resolved in seen:
            raise InputError(
                "an output file would overwrite an input file or another output",
                where=str(target),
                hint="choose an output directory outside the input directory (-o DIR)",
            )
        seen.add(resolved)
    return list(zip(sources, targets))


def _translate_one(
    source: Path, target: Path, translator: Translator, *, fmt: str, keep_boilerplate: bool
) -> FileOutcome:
    """Translate one file of a directory run and write its output.

    A file that cannot be read as an article is a ``failed`` outcome and the run goes on; an error of the
    model or the translator is not about this file, so it stops the run.
    """
    try:
        article = load_article(source, keep_boilerplate=keep_boilerplate)
    except (InputError, UnicodeError, ValueError) as error:
        return FileOutcome(str(source), None, "failed", error=first_line(error))
    outcome = _outcome_for(article, target)
    _translate_into(outcome, article, translator, fmt)
    return outcome


def translate_directory(
    root: Path,
    out_dir: Path,
    translator: Translator,
    *,
    fmt: str,
    force: bool = False,
    keep_boilerplate: bool = False,
    on_file: Callable[[FileOutcome], None] | None = None,
    notice: Callable[[str], None] | None = None,
    plan: list[tuple[Path, Path]] | None = None,
) -> list[FileOutcome]:
    """Translate each file of ``root`` into ``out_dir``; finished files are skipped unless ``force``.

    Each output is written atomically as soon as its file is done, so an interrupted run
    leaves only complete files and a rerun resumes where it stopped. A file that cannot be
    translated (binary, empty, not UTF-8, only boilerplate) is a ``failed`` outcome and the run
    goes on. Memory stays bounded by one article at a time. ``plan``: the pairs of
    :func:`plan_directory` when the caller made them already.
    """
    outcomes = []
    for source, target in plan if plan is not None else plan_directory(root, out_dir, fmt, notice=notice):
        if target.exists() and not force:
            outcome = FileOutcome(str(source), target, "skipped")
        else:
            outcome = _translate_one(source, target, translator, fmt=fmt, keep_boilerplate=keep_boilerplate)
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
        return sum(outcome.status == "skipped" for outcome in self.outcomes)

    @property
    def failed(self) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


def check_writable(output: Path, *, directory: bool) -> None:
    """Refuse an output location that cannot be written, before any work.

    The nearest existing ancestor of ``output`` must be a directory this process may write in
    (missing folders are created later); an existing ``output`` must be a directory for a
    directory run and a file otherwise.
    """
    if output.exists():
        if output.is_dir() != directory:
            what = "a directory" if directory else "a file"
            raise InputError(
                f"the output must be {what}, and this is {'a file' if directory else 'a directory'}",
                where=str(output),
                hint="choose a directory path for -o"
                if directory
                else "name a file for -o, e.g. -o DIR/article.en.txt",
            )
        if not os.access(output, os.W_OK):
            raise InputError(
                "the output is not writable", where=str(output), hint="check its permissions, or use -o elsewhere"
            )
        return
    parent = output.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(
            "the output path runs through a file, not a directory",
            where=str(parent),
            hint="choose another -o path",
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(
            "cannot write in this directory", where=str(parent), hint="check its permissions, or use -o elsewhere"
        )


def check_paths(input: str, output: Path | None) -> bool:
    """Refuse contradictory or unwritable input/output paths before any work; True when ``input`` is a directory."""
    source_path = Path(input)
    is_directory = input != "-" and source_path.is_dir()
    if is_directory and output is None:
        raise InputError("a directory input needs an output directory", where=input, hint="add -o OUTPUT_DIR")
    if (
        not is_directory
        and output is not None
        and input != "-"
        and output.exists()
        and output.resolve() == source_path.resolve()
    ):
        raise InputError("the output file is the input file", where=str(output), hint="choose another -o path")
    if output is not None:
        check_writable(output, directory=is_directory)
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
    plan = plan_directory(Path(input), output, fmt, notice=notice) if is_directory and output is not None else None
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
            assert output is not None and plan is not None  # check_paths: a directory input needs -o
            run.outcomes = _translate_planned(
                Path(input), output, plan, stack.translator, fmt, force, keep_boilerplate, progress, on_file
            )
            run.terms = sum((outcome.terms for outcome in run.outcomes), Counter())
        else:
            outcome, run.text = _translate_article_file(article, output, stack.translator, fmt, progress, on_file)
            run.terms = outcome.terms
            run.outcomes = [outcome]
    finally:
        progress.stop()
    run.cache_summary = stack.cache.summary_line() if stack.cache is not None else None
    if stack.memory is not None and stack.memory.memory.path.exists():
        run.memory_summary = stack.memory.summary_line()
    return run


def _translate_planned(
    root: Path,
    output: Path,
    plan: list[tuple[Path, Path]],
    translator: Translator,
    fmt: str,
    force: bool,
    keep_boilerplate: bool,
    progress: ProgressBar,
    on_file: Callable[[FileOutcome], None] | None,
) -> list[FileOutcome]:
    """A directory run with a progress bar counting files."""
    progress.start(len(plan), "files")

    def advance(outcome: FileOutcome) -> None:
        progress(1)
        if on_file:
            on_file(outcome)

    return translate_directory(
        root, output, translator, fmt=fmt, force=force, keep_boilerplate=keep_boilerplate, on_file=advance, plan=plan
    )


def _translate_article_file(
    article: Article,
    output: Path | None,
    translator: Translator,
    fmt: str,
    progress: ProgressBar,
    on_file: Callable[[FileOutcome], None] | None,
) -> tuple[FileOutcome, str | None]:
    """One article, written atomically to ``output``; its rendered text is returned when there is no output file."""
    outcome = _outcome_for(article, output)
    if on_file:
        on_file(outcome)
    progress.start(article.sentence_count, "sentences")
    return outcome, _translate_into(outcome, article, translator, fmt)


def _outcome_for(article: Article, output: Path | None) -> FileOutcome:
    """The outcome of translating ``article`` into ``output``, with what reading it removed or left out."""
    return FileOutcome(
        article.source, output, "translated", removed=list(article.removed), dropped=len(article.dropped)
    )


def _translate_into(outcome: FileOutcome, article: Article, translator: Translator, fmt: str) -> str | None:
    """Translate ``article``, record its counts in ``outcome``, write ``outcome.output`` atomically.

    Returns the rendered text when there is no output file (standard output), else ``None``.
    """
    result = translate_article(article, translator)
    outcome.sentences = len(result.sentences)
    outcome.terms = term_counts(item.translation for item in result.sentences)
    text = render(result, fmt)
    if outcome.output is None:
        return text
    atomic_write_text(outcome.output, text)
    return None
