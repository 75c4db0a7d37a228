"""Saved web pages as articles: the article's title, headings and paragraphs, without the page around them.

:func:`parse_html_article` does it in two passes:

1. **Extraction** with `trafilatura <https://trafilatura.readthedocs.io>`_ (Apache-2.0), a maintained
   main-content extractor: navigation, headers and footers, sidebars, related-article lists, comment
   sections and forms, scripts and styles are left out. Its title (``og:title``, ``<h1>`` or
   ``<title>``) becomes the article's title; its ``<head>`` elements become headings and its
   paragraphs, list items and quotes become paragraphs. Tables and images are not extracted.
2. **idtrans's own boilerplate rules** (:mod:`idtrans.corpus.boilerplate`) on each extracted block, so
   in-article lines an extractor keeps (``BACA JUGA: …``, ``Simak juga: …``, ``Iklan``, share prompts)
   are removed exactly as in a text article.

Every visible block of the page that the extractor left out is recorded in ``Article.dropped`` (rule
``extractor``) with its line in the HTML file, and paragraphs, the title and rule removals carry
their HTML line numbers too, so ``idtrans segment page.html`` shows what was kept and what was dropped.

Decoding: UTF-8 (a BOM is fine); otherwise the charset the page declares (``<meta charset>``); a page
in neither raises :class:`~idtrans.errors.InputError`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from idtrans.corpus.article import Article, Paragraph, layout_for, parse_article
from idtrans.corpus.boilerplate import BoilerplateRules, RemovedLine, Rule
from idtrans.corpus.reader import decode_text, normalise_text, read_bytes
from idtrans.corpus.segment import split_sentences
from idtrans.errors import InputError

#: File suffixes read as HTML (lower-case).
HTML_SUFFIXES: tuple[str, ...] = (".html", ".htm", ".xhtml")

_SPACE = re.compile(r"\s+")
_SNIFF = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: Elements whose text forms a block of its own when it holds no other such element.
_BLOCK_TAGS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "figcaption",
        "blockquote",
        "pre",
        "td",
        "th",
        "caption",
        "div",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "main",
        "form",
        "label",
        "button",
        "address",
        "summary",
        "details",
        "option",
        "legend",
    ]
)
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "textarea", "select")
_DROPPED_RULE = "extractor"


def is_html_path(path: str | Path) -> bool:
    """True for ``.html`` / ``.htm`` / ``.xhtml`` file names."""
    return Path(str(path)).suffix.lower() in HTML_SUFFIXES


def looks_like_html(data: bytes) -> bool:
    """True when the bytes start (after an XML declaration or comments) with a doctype or ``<html>``."""
    return _SNIFF.match(data[:4096]) is not None


def decode_html(data: bytes, *, where: str = "<bytes>") -> str:
    """UTF-8 (BOM optional), else the page's declared ``<meta charset>``; NFC, ``\\n`` newlines."""
    try:
        return decode_text(data, where=where)
    except InputError as utf8_error:
        declared = _META_CHARSET.search(data[:4096])
        if declared is None:
            raise
        name = declared.group(1).decode("ascii", "replace")
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            raise InputError(
                f"declares an unknown charset {name!r}", where=where, hint="save the page as UTF-8"
            ) from None
        if codec == "utf-8":
            raise utf8_error
        try:
            return normalise_text(data.decode(codec))
        except UnicodeDecodeError as error:
            raise InputError(
                f"is not valid {name}: byte offset {error.start}", where=where, hint="save the page as UTF-8"
            ) from None


@dataclass
class _Block:
    kind: str  # "title", "heading" or "paragraph"
    text: str
    line_no: int = 0


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _page_blocks(html: str) -> list[tuple[int, str]]:
    """Every visible leaf block of the page as ``(HTML line, text)``, in document order."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    etree.strip_elements(root, *_INVISIBLE, etree.Comment, with_tail=False)
    blocks = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag not in _BLOCK_TAGS:
            continue
        if any(isinstance(child.tag, str) and child.tag in _BLOCK_TAGS for child in element.iterdescendants()):
            continue
        text = _clean(element.text_content())
        if text:
            blocks.append((element.sourceline or 0, text))
    return blocks


def _extract(html: str, where: str) -> tuple[str | None, list[_Block]]:
    """trafilatura's title and main-content blocks (headings and paragraphs)."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_formatting=False,
        include_links=False,
        with_metadata=True,
        favor_precision=True,
        output_format="python",
    )
    body = getattr(document, "body", None)
    if document is None or body is None:
        raise InputError(
            "no article text found in this page",
            where=where,
            hint="check that the file is the saved article page (not an index or an empty page)",
        )
    title = _clean(getattr(document, "title", None) or "") or None
    blocks: list[_Block] = []
    for element in body:
        text = _clean("".join(element.itertext()))
        if not text:
            continue
        if element.tag == "list":
            blocks.extend(
                _Block("paragraph", _clean("".join(item.itertext())))
                for item in element
                if _clean("".join(item.itertext()))
            )
        else:
            blocks.append(_Block("heading" if element.tag == "head" else "paragraph", text))
    if blocks and title is None and blocks[0].kind == "heading":
        title = blocks.pop(0).text
    elif blocks and title is not None and blocks[0].kind == "heading" and blocks[0].text == title:
        blocks.pop(0)  # the page's <h1> repeats the title
    return title, blocks


def _locate(text: str, page: list[tuple[int, str]]) -> int:
    """The HTML line of the page block holding ``text`` (0 when not found)."""
    for line, block in page:
        if block == text:
            return line
    probe = text[:60]
    for line, block in page:
        if probe in block:
            return line
    return 0


def parse_html_article(
    html: str,
    *,
    source: str = "<html>",
    keep_boilerplate: bool = False,
    rules: BoilerplateRules | Iterable[Rule] | None = None,
) -> Article:
    """Extract the article of a web page and parse it like a text article (see the module docstring).

    Line numbers in the result are lines of the HTML file. Raises :class:`InputError` when the page
    has no article text (or only boilerplate).
    """
    title, blocks = _extract(html, source)
    page = _page_blocks(html)
    for block in blocks:
        block.line_no = _locate(block.text, page)
    if title is not None:
        blocks.insert(0, _Block("title", title, _locate(title, page)))
    if not blocks:
        raise InputError(
            "no article text found in this page", where=source, hint="check that the file is the saved article page"
        )
    # One block per line, blank lines between: block i is on line 2i + 1 of the intermediate text.
    lines = []
    for block in blocks:
        text = block.text.lstrip("#") if block.kind == "paragraph" else block.text
        lines.append(f"# {text}" if block.kind in ("title", "heading") else text)
    article = parse_article("\n\n".join(lines), source=source, keep_boilerplate=keep_boilerplate, rules=rules)
    if title is None and article.title is not None:
        article.paragraphs.insert(0, _first_paragraph(article))
        article.title, article.title_line_no = None, None
    html_line = {2 * i + 1: block.line_no for i, block in enumerate(blocks)}
    for paragraph in article.paragraphs:
        paragraph.line_no = html_line.get(paragraph.line_no, 0)
    if article.title_line_no is not None:
        article.title_line_no = html_line.get(article.title_line_no, 0)
    article.removed = [RemovedLine(html_line.get(r.line_no, 0), r.text, r.rule) for r in article.removed]
    kept = {block.text for block in blocks}
    article.dropped = [
        RemovedLine(line, text, _DROPPED_RULE)
        for line, text in page
        if text not in kept and not any(text in k for k in kept)
    ]
    return article


def _first_paragraph(article: Article) -> Paragraph:
    """The page has no title, so a short first paragraph that parse_article took for one is body text again."""
    assert article.title is not None
    return Paragraph(split_sentences(article.title), article.title_line_no or 0)


def read_html_article(path: str | Path, data: bytes, *, keep_boilerplate: bool = False) -> Article:
    """Decode and parse the bytes of a saved page read from ``path``."""
    where = "<stdin>" if str(path) == "-" else str(path)
    return parse_html_article(decode_html(data, where=where), source=where, keep_boilerplate=keep_boilerplate)


def load_article(path: str | Path, *, keep_boilerplate: bool = False) -> Article:
    """Read one article file of any supported kind: a saved web page (by its suffix, or its content
    when it starts with a doctype or ``<html>``) or UTF-8 text/Markdown. ``"-"`` is standard input."""
    data = read_bytes(path)
    where = "<stdin>" if str(path) == "-" else str(path)
    if is_html_path(path) or looks_like_html(data):
        return read_html_article(path, data, keep_boilerplate=keep_boilerplate)
    return parse_article(
        decode_text(data, where=where), source=where, keep_boilerplate=keep_boilerplate, layout=layout_for(where)
    )
