"""The English article as clean HTML: ``<h1>`` title, ``<h2>`` headings, ``<p>`` paragraphs, all text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from idtrans.pipeline.output.assemble import TranslatedArticle

#: (kind, text) blocks: kind is "title", "heading" or "paragraph".
Block = tuple[str, str]


def html_document(blocks: Sequence[Block], *, lang: str = "en") -> str:
    """A complete, minimal HTML5 document of ``blocks`` (the first title also becomes ``<title>``)."""
    title = next((text for kind, text in blocks if kind == "title"), "")
    body = []
    for kind, text in blocks:
        tag = {"title": "h1", "heading": "h2"}.get(kind, "p")
        body.append(f"<{tag}>{escape(text, quote=False)}</{tag}>")
    head = f"<title>{escape(title, quote=False)}</title>\n" if title else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n{head}</head>\n'
        "<body>\n<article>\n" + "\n".join(body) + "\n</article>\n</body>\n</html>\n"
    )


def article_blocks(result: TranslatedArticle) -> list[Block]:
    """The translated article as (kind, English text) blocks, title first."""
    blocks: list[Block] = []
    paragraphs = result.article.paragraphs
    for number, _, english in result.paragraphs():
        if number == 0 and result.has_title:
            blocks.append(("title", english))
            continue
        heading = 0 < number <= len(paragraphs) and paragraphs[number - 1].heading
        blocks.append(("heading" if heading else "paragraph", english))
    return blocks


def render_html(result: TranslatedArticle) -> str:
    """``idtrans translate --format html``: the English article as an HTML5 document, ``lang="en"``."""
    return html_document(article_blocks(result))
