"""From request text to sentences and back: LibreTranslate ``q`` (text or HTML) and articles.

1. Plain text (``format=text``): each line is split into sentences by the article segmenter and
   its translation is the sentences' translations joined by a space; line breaks, blank lines
   and each line's indentation are kept.
2. HTML (``format=html``): tags, comments and entities stay as they are; every text node outside
   ``<script>``/``<style>`` is translated as plain text (rule 1) and re-escaped. A sentence cut
   by an inline tag (``<b>``) is translated in pieces: a known limit.
3. Articles: :func:`article_response` parses the text like ``idtrans translate`` (title,
   paragraphs, boilerplate removal) and returns the English article, its paragraphs side by side
   with the source, Markdown, and the per-sentence records of ``--format jsonl``, each with a
   ``review`` list (kept when a layer below set one; otherwise derived: glossary terms missed or
   forbidden forms found).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from idtrans.corpus.article import Article, parse_article
from idtrans.corpus.segment import split_sentences
from idtrans.errors import TranslationError
from idtrans.pipeline.layers.translator import Translation
from idtrans.pipeline.output.assemble import TranslatedArticle, translate_article
from idtrans.pipeline.output.render import render_jsonl, render_text
from idtrans.pipeline.translate import term_counts

_RAW_TEXT_TAGS = frozenset({"script", "style", "textarea", "code", "pre"})


# -- plain text --------------------------------------------------------------------------------


@dataclass
class TextPlan:
    """A text cut into sentences, and how to put their translations back."""

    lines: list[tuple[str, list[str]]]  # (indentation, sentences) per line; [] = keep the line as is
    raw: list[str]

    @property
    def sentences(self) -> list[str]:
        return [s for _, sentences in self.lines for s in sentences]

    def join(self, translations: Sequence[str]) -> str:
        out: list[str] = []
        position = 0
        for (indent, sentences), raw in zip(self.lines, self.raw):
            if not sentences:
                out.append(raw)
                continue
            out.append(indent + " ".join(t.strip() for t in translations[position : position + len(sentences)]))
            position += len(sentences)
        return "\n".join(out)


def plan_text(text: str) -> TextPlan:
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = []
    for line in raw:
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        lines.append((indent, split_sentences(stripped) if stripped else []))
    return TextPlan(lines, raw)


# -- HTML --------------------------------------------------------------------------------------


class _Pieces(HTMLParser):
    """Cuts HTML into markup pieces (kept verbatim) and text pieces (to translate)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, str]] = []  # ("markup" | "text", content)
        self._raw_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.append(("markup", self.get_starttag_text() or f"<{tag}>"))
        if tag in _RAW_TEXT_TAGS:
            self._raw_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.append(("markup", self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag: str) -> None:
        self.pieces.append(("markup", f"</{tag}>"))
        if tag in _RAW_TEXT_TAGS and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._raw_depth or not data.strip():
            self.pieces.append(("markup", data if self._raw_depth else html.escape(data, quote=False)))
        else:
            self.pieces.append(("text", data))

    def handle_comment(self, data: str) -> None:
        self.pieces.append(("markup", f"<!--{data}-->"))

    def handle_decl(self, decl: str) -> None:
        self.pieces.append(("markup", f"<!{decl}>"))

    def unknown_decl(self, data: str) -> None:
        self.pieces.append(("markup", f"<![{data}]]>"))

    def handle_pi(self, data: str) -> None:
        self.pieces.append(("markup", f"<?{data}>"))


@dataclass
class HtmlPlan:
    pieces: list[tuple[str, str]]
    plans: list[TextPlan] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [s for plan in self.plans for s in plan.sentences]

    def join(self, translations: Sequence[str]) -> str:
        out: list[str] = []
        position = 0
        plans = iter(self.plans)
        for kind, content in self.pieces:
            if kind == "markup":
                out.append(content)
                continue
            plan = next(plans)
            count = len(plan.sentences)
            lead = content[: len(content) - len(content.lstrip())]
            tail = content[len(content.rstrip()) :]
            english = plan.join(translations[position : position + count])
            out.append(lead + html.escape(english.strip(), quote=False) + tail)
            position += count
        return "".join(out)


def plan_html(text: str) -> HtmlPlan:
    parser = _Pieces()
    parser.feed(text)
    parser.close()
    plan = HtmlPlan(parser.pieces)
    plan.plans = [plan_text(content.strip()) for kind, content in parser.pieces if kind == "text"]
    return plan


def plan_q(text: str, fmt: str) -> TextPlan | HtmlPlan:
    return plan_html(text) if fmt == "html" else plan_text(text)


# -- articles ----------------------------------------------------------------------------------


class _Replay:
    """A Translator answering with translations already made (so ``translate_article`` checks them)."""

    identity = "replay"

    def __init__(self, translations: list[Translation]) -> None:
        self._translations = translations

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        if [t.source for t in self._translations] != list(sentences):
            raise TranslationError(
                "the translations do not belong to this article's sentences",
                hint="report this as a bug in idtrans serve",
            )
        return self._translations


def read_article(text: str, *, keep_boilerplate: bool = False, name: str = "<request>") -> Article:
    return parse_article(text, source=name, keep_boilerplate=keep_boilerplate)


def assemble(article: Article, translations: list[Translation]) -> TranslatedArticle:
    return translate_article(article, _Replay(translations))


def review_reasons(record: dict[str, Any]) -> list[str]:
    """Why a sentence needs an editor's look: a layer's own ``review`` flag, else glossary failures."""
    own = record.get("review")
    if own:
        return [str(r) for r in own] if isinstance(own, list) else [str(own)]
    reasons = []
    for term in record.get("glossary", ()):
        if term.get("status") == "missed":
            reasons.append(f"glossary term not rendered: {term.get('target', '')}")
        for form in term.get("forbidden", ()):
            reasons.append(f"forbidden form: {form}")
    return reasons


def english_markdown(result: TranslatedArticle) -> str:
    """The English article as Markdown: the title as a heading, then the paragraphs."""
    blocks = []
    for number, _, english in result.paragraphs():
        blocks.append(f"# {english}" if number == 0 and result.has_title else english)
    return "\n\n".join(blocks) + "\n"


def article_response(result: TranslatedArticle) -> dict[str, Any]:
    """The JSON answer of ``POST /v1/articles``."""
    records = [json.loads(line) for line in render_jsonl(result).splitlines() if line.strip()]
    for record in records:
        record["review"] = review_reasons(record)
    paragraphs = [
        {"paragraph": number, "source": source, "english": english} for number, source, english in result.paragraphs()
    ]
    article = result.article
    return {
        "title": paragraphs[0]["english"] if result.has_title else None,
        "text": render_text(result),
        "markdown": english_markdown(result),
        "jsonl": render_jsonl(result),
        "paragraphs": paragraphs,
        "sentences": records,
        "removed": [{"line": r.line_no, "rule": r.rule, "text": r.text} for r in article.removed],
        "glossary": dict(term_counts(r.translation for r in result.sentences)),
        "review": sum(bool(r["review"]) for r in records),
    }
