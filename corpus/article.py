"""An article's structure: optional title, paragraphs of sentences, and what boilerplate was removed.

:func:`parse_article` rules, in order:

1. The text is normalised (newlines, NFC; see :func:`idtrans.corpus.reader.normalise_text`).
   Blank input raises :class:`~idtrans.errors.InputError` ("no text").
2. Boilerplate lines are removed by the rules of :mod:`idtrans.corpus.boilerplate` (unless
   ``keep_boilerplate``); each removal is recorded with its line number and rule. A removed
   line is dropped, not blanked, so it does not split the paragraph it sat in.
3. Markdown ATX headings (``# Title``, ``## Section``) lose their ``#`` marks and always form a
   paragraph of their own. Other Markdown is kept as text.
4. Paragraphs depend on the layout (``layout=``, chosen from the file suffix by
   :func:`layout_for`):

   - ``markdown`` (``.md``): runs of non-blank lines separated by blank lines, joined with single
     spaces; a list item (``-``, ``*``, ``+``, ``1.``) or a block-quote line (``>``) starts a
     paragraph of its own, so list items never merge;
   - ``text`` (``.txt``, standard input): every line is a paragraph (scrapers and CMS exports
     write one paragraph a line, often with no blank lines), unless the text is hard-wrapped
     (most lines inside multi-line blocks are 40-100 characters long and end without sentence
     punctuation): then blank lines separate paragraphs as in Markdown.

   All runs of whitespace, no-break spaces included, become one space.
5. The first paragraph is the title when it is a Markdown heading, or when it is a single
   line of at most :data:`TITLE_MAX_CHARS` characters and at most two sentences, followed by at
   least one more paragraph. Otherwise the article has no title.
6. Each paragraph (and the title) is split into sentences by
   :func:`idtrans.corpus.segment.split_sentences`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from idtrans.corpus.boilerplate import BoilerplateRules, RemovedLine, Rule, find_boilerplate
from idtrans.corpus.reader import normalise_text
from idtrans.corpus.segment import split_sentences
from idtrans.errors import InputError
from idtrans.records import pick

#: A first line longer than this is body text, not a title.
TITLE_MAX_CHARS = 200
#: A first line with more sentences than this is body text, not a title.
TITLE_MAX_SENTENCES = 2

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SPACE = re.compile(r"\s+")


@dataclass
class Paragraph:
    """One paragraph: its sentences, the 1-based line number where it starts, and whether it is a heading."""

    sentences: list[str]
    line_no: int
    heading: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass
class Article:
    """A parsed article. ``title`` is kept apart from ``paragraphs`` (which are the body)."""

    title: str | None
    paragraphs: list[Paragraph]
    removed: list[RemovedLine] = field(default_factory=list)
    source: str = "<text>"
    title_line_no: int | None = None
    #: Page blocks an HTML extractor left out (navigation, ads, comments …; see idtrans.corpus.html).
    dropped: list[RemovedLine] = field(default_factory=list)

    @property
    def title_sentences(self) -> list[str]:
        return split_sentences(self.title) if self.title else []

    def units(self) -> list[tuple[str, int, int, str]]:
        """Every sentence to translate, in article order, as ``(kind, paragraph, sentence, text)``.

        ``kind`` is ``"title"`` or ``"body"``. Title sentences have paragraph index ``-1``;
        body paragraphs count from ``0`` (an index into :attr:`paragraphs`); sentence indices
        count from ``0`` within their paragraph (or the title).
        """
        units = [("title", -1, i, s) for i, s in enumerate(self.title_sentences)]
        for p, paragraph in enumerate(self.paragraphs):
            units.extend(("body", p, i, s) for i, s in enumerate(paragraph.sentences))
        return units

    @property
    def sentence_count(self) -> int:
        return len(self.title_sentences) + sum(len(p.sentences) for p in self.paragraphs)

    def to_dict(self) -> dict:
        """A JSON-ready view (used by ``idtrans segment --json``)."""
        return {
            **pick(self, "source", "title", "title_line_no", "title_sentences"),
            "paragraphs": [
                {"line_no": p.line_no, "sentences": list(p.sentences), **({"heading": True} if p.heading else {})}
                for p in self.paragraphs
            ],
            "removed": [asdict(r) for r in self.removed],
            "sentence_count": self.sentence_count,
            **({"dropped": [asdict(r) for r in self.dropped]} if self.dropped else {}),
        }


LAYOUTS = ("text", "markdown")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+\S|^ {0,3}>")
_SENTENCE_END = re.compile(r"[.!?:;\"'”’)\]]$")


def layout_for(name: str) -> str:
    """The layout of a file by its suffix: ``markdown`` for ``.md``/``.markdown``, else ``text``."""
    return "markdown" if str(name).lower().endswith((".md", ".markdown")) else "text"


def _hard_wrapped(lines: list[str]) -> bool:
    """True when most lines followed by another non-blank line look wrapped, not ended."""
    inner = [a.strip() for a, b in zip(lines, lines[1:]) if a.strip() and b.strip()]
    if len(inner) < 2:
        return False
    wrapped = sum(40 <= len(line) <= 100 and not _SENTENCE_END.search(line) for line in inner)
    return wrapped >= 0.6 * len(inner)


def _blocks(lines: list[str], dropped: set[int], layout: str = "markdown") -> list[tuple[int, list[str], bool]]:
    """``(first line number, lines, is_heading)`` for each paragraph, headings on their own."""
    one_per_line = layout == "text" and not _hard_wrapped([line for n, line in enumerate(lines, 1) if n not in dropped])
    blocks: list[tuple[int, list[str], bool]] = []
    current: list[str] = []
    start = 0

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append((start, current, False))
        current = []

    for number, line in enumerate(lines, start=1):
        if number in dropped:
            continue
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            if heading.group(2).strip():
                blocks.append((number, [heading.group(2)], True))
            continue
        if one_per_line or (layout == "markdown" and _LIST_ITEM.match(line)):
            flush()
        if not current:
            start = number
        current.append(line)
    flush()
    return blocks


def parse_article(
    text: str,
    *,
    source: str = "<text>",
    keep_boilerplate: bool = False,
    rules: BoilerplateRules | Iterable[Rule] | None = None,
    layout: str = "markdown",
) -> Article:
    """Parse article text into title, paragraphs and sentences (rules in the module docstring).

    ``rules`` is a :class:`BoilerplateRules` or list of :class:`Rule` (default: the built-in
    set); ``keep_boilerplate=True`` removes nothing; ``layout`` is ``markdown`` (the default, also
    right for paragraphs separated by blank lines) or ``text`` (a line is a paragraph; see rule 4).
    Raises :class:`InputError` for empty text and for text that is all boilerplate.
    """
    if layout not in LAYOUTS:
        raise InputError(f"unknown layout {layout!r}", where=source, hint=f"use one of: {', '.join(LAYOUTS)}")
    text = normalise_text(text)
    if not text.strip():
        raise InputError("no text", where=source, hint="the input is empty or only whitespace: pass an article")
    lines = text.split("\n")
    removed = [] if keep_boilerplate else find_boilerplate(lines, rules)
    blocks = _blocks(lines, {r.line_no for r in removed}, layout)
    if not blocks:
        raise InputError(
            f"no text left after removing {len(removed)} boilerplate line(s)",
            where=source,
            hint="pass --keep-boilerplate to keep every line",
        )
    title = None
    title_line_no = None
    first_line_no, first_lines, is_heading = blocks[0]
    first_text = _SPACE.sub(" ", " ".join(first_lines)).strip()
    if len(blocks) > 1 and (
        is_heading
        or (
            len(first_lines) == 1
            and len(first_text) <= TITLE_MAX_CHARS
            and len(split_sentences(first_text)) <= TITLE_MAX_SENTENCES
        )
    ):
        title, title_line_no = first_text, first_line_no
        blocks = blocks[1:]
    paragraphs = [
        Paragraph(split_sentences(_SPACE.sub(" ", " ".join(block)).strip()), number, heading)
        for number, block, heading in blocks
    ]
    return Article(title, paragraphs, removed, source, title_line_no)
