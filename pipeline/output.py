"""Output formats: the English article (text or HTML), one JSON record per sentence, bilingual Markdown, or XLIFF."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from idtrans.interop.html_out import render_html
from idtrans.interop.xliff import render_xliff
from idtrans.pipeline.assemble import TranslatedArticle

FORMATS = ("text", "jsonl", "bilingual", "html", "xliff")
SUFFIXES = {"text": ".en.txt", "jsonl": ".jsonl", "bilingual": ".en.md", "html": ".en.html", "xliff": ".xlf"}


def render_text(result: TranslatedArticle) -> str:
    """The English article with the source's title/paragraph structure."""
    return "\n\n".join(english for _, _, english in result.paragraphs()) + "\n"


def render_jsonl(result: TranslatedArticle) -> str:
    lines = []
    for item in result.sentences:
        record = {
            "file": result.article.source,
            "kind": item.kind,
            "paragraph": item.paragraph,
            "sentence": item.sentence,
            "source": item.translation.source,
            "translation": item.translation.text,
            "seconds": round(item.translation.seconds, 4),
        }
        record.update(item.translation.info)
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n" if lines else ""


def render_bilingual(result: TranslatedArticle) -> str:
    """Markdown: each source paragraph followed by its translation (the title as headings)."""
    blocks = []
    for number, source, english in result.paragraphs():
        if number == 0 and result.has_title:
            blocks.append(f"# {source}\n\n> **{english}**")
        else:
            quoted = "\n".join(f"> {line}" if line else ">" for line in english.splitlines() or [""])
            blocks.append(f"{source}\n\n{quoted}")
    return "\n\n".join(blocks) + "\n"


RENDERERS = {"text": render_text, "jsonl": render_jsonl, "bilingual": render_bilingual, "html": render_html,
             "xliff": render_xliff}


def render(result: TranslatedArticle, fmt: str) -> str:
    return RENDERERS[fmt](result)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
