"""Putting an article back together: every source sentence paired with its translation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from idtrans.errors import TranslationError
from idtrans.pipeline.layers.translator import Translation, Translator

if TYPE_CHECKING:
    from idtrans.corpus.article import Article


@dataclass
class SentenceResult:
    """One sentence of an article: where it stands and what it became.

    ``paragraph`` 0 is the title slot; body paragraphs count from 1.
    """

    kind: str  # "title" or "body"
    paragraph: int
    sentence: int
    translation: Translation


@dataclass
class TranslatedArticle:
    article: Article
    sentences: list[SentenceResult]

    def paragraphs(self) -> list[tuple[int, str, str]]:
        """``(paragraph number, source text, English text)`` in article order, title first."""
        grouped: dict[int, list[SentenceResult]] = {}
        for result in self.sentences:
            grouped.setdefault(result.paragraph, []).append(result)
        return [
            (
                number,
                " ".join(r.translation.source.strip() for r in results if r.translation.source.strip()),
                " ".join(r.translation.text.strip() for r in results if r.translation.text.strip()),
            )
            for number, results in grouped.items()
        ]

    @property
    def has_title(self) -> bool:
        return any(r.kind == "title" for r in self.sentences)


def translate_article(article: Article, translator: Translator) -> TranslatedArticle:
    """Translate every sentence of ``article`` in one call (so batching sees all of them)."""
    units = article.units()
    translations = translator.translate([text for _, _, _, text in units])
    if len(translations) != len(units):
        raise TranslationError(
            f"{len(units)} sentences in, {len(translations)} translations out",
            where=article.source,
            hint="report this as a bug: the translator dropped sentences",
        )
    results = []
    for (kind, paragraph, sentence, text), translation in zip(units, translations):
        if translation.source != text:
            raise TranslationError(
                "a translation came back for a different sentence than was sent",
                where=article.source,
                hint="report this as a bug: the translator reordered sentences",
            )
        results.append(SentenceResult(kind, paragraph + 1, sentence, translation))
    return TranslatedArticle(article, results)
