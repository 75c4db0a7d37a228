"""Output formats: the English article (text or HTML), one JSON record per sentence, bilingual Markdown, or XLIFF."""

from __future__ import annotations

import json
from typing import Any

from idtrans.interop.html_out import render_html
from idtrans.interop.xliff import render_xliff
from idtrans.pipeline.output.assemble import TranslatedArticle

SUFFIXES = {"text": ".en.txt", "jsonl": ".jsonl", "bilingual": ".en.md", "html": ".en.html", "xliff": ".xlf"}


def render_text(result: TranslatedArticle) -> str:
    """The English article with the source's title/paragraph structure."""
    return "\n\n".join(english for _, _, english in result.paragraphs()) + "\n"


def jsonl_records(result: TranslatedArticle) -> list[dict[str, Any]]:
    """One record per source sentence: the fields of ``--format jsonl`` (README: idtrans translate)."""
    records = []
    for item in result.sentences:
        record: dict[str, Any] = {
            "file": result.article.source,
            "kind": item.kind,
            "paragraph": item.paragraph,
            "sentence": item.sentence,
            "source": item.translation.source,
            "translation": item.translation.text,
            "seconds": round(item.translation.seconds, 4),
        }
        record.update(item.translation.info)
        records.append(record)
    return records


def render_jsonl(result: TranslatedArticle) -> str:
    lines = [json.dumps(record, ensure_ascii=False) for record in jsonl_records(result)]
    return "\n".join(lines) + "\n" if lines else ""


#: The mark a sentence flagged for review gets in the bilingual output.
REVIEW_MARK = "⚑"


def _review_notes(result: TranslatedArticle, number: int) -> tuple[dict[int, int], list[str]]:
    """Paragraph ``number``'s flagged sentences: their order within the paragraph and one note line each."""
    flagged: dict[int, int] = {}
    notes: list[str] = []
    for item in result.sentences:
        if item.paragraph == number and item.translation.info.get("review"):
            flagged[item.sentence] = len(flagged) + 1
            reasons = "; ".join(str(r) for r in item.translation.info["review"])
            notes.append(f"> {REVIEW_MARK}{len(flagged)} **review** (sentence {item.sentence + 1}): {reasons}")
    return flagged, notes


def _marked_english(result: TranslatedArticle, number: int, flagged: dict[int, int]) -> str:
    parts = []
    for item in result.sentences:
        text = item.translation.text.strip()
        if item.paragraph == number and text:
            mark = f"{REVIEW_MARK}{flagged[item.sentence]} " if item.sentence in flagged else ""
            parts.append(mark + text)
    return " ".join(parts)


def render_bilingual(result: TranslatedArticle) -> str:
    """Markdown: each source paragraph followed by its translation (the title as headings).

    A sentence flagged for review (``info["review"]``: an item not placed, or a model score far
    below its peers') is marked ``⚑N`` in the translation, with its reasons in a note below.
    """
    blocks = []
    for number, source, english in result.paragraphs():
        flagged, notes = _review_notes(result, number)
        if flagged:
            english = _marked_english(result, number, flagged)
        if number == 0 and result.has_title:
            blocks.append(f"# {source}\n\n> **{english}**" + "".join("\n>\n" + note for note in notes))
        else:
            lines = [f"> {line}" if line else ">" for line in english.splitlines() or [""]]
            if notes:
                lines += [">"] + notes
            blocks.append(f"{source}\n\n" + "\n".join(lines))
    return "\n\n".join(blocks) + "\n"


RENDERERS = {
    "text": render_text,
    "jsonl": render_jsonl,
    "bilingual": render_bilingual,
    "html": render_html,
    "xliff": render_xliff,
}


def render(result: TranslatedArticle, fmt: str) -> str:
    return RENDERERS[fmt](result)
