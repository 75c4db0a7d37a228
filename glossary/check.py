"""Verifying a translation against a glossary (WMT21 terminology-task style exact match).

For every entry matched in the source, the entry's English rendering must appear in the
translation (whole words, the entry's case policy: case-sensitive for ``as-written`` and
``keep-source``, any case for ``ignore``, where an English plural ``-s``/``-es`` also counts),
and none of its forbidden forms may appear (any case, except inside an occurrence of the
rendering itself), nor the matched Indonesian form itself (``Ukraina`` left in the English). The
*term success rate* of a set of sentences is the share of (sentence, entry) pairs whose rendering
is found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from idtrans.corpus.html import load_article
from idtrans.glossary.matcher import Match
from idtrans.glossary.schema import Entry, Glossary


@dataclass(frozen=True)
class TermCheck:
    """One glossary entry matched in a source, checked in its translation.

    ``found``: the rendering appears at least once (what the term success rate counts);
    ``expected``/``count``: occurrences in the source / of the rendering in the translation;
    ``forbidden_found``: forbidden forms that appear in the translation.
    """

    entry_id: str
    target: str
    found: bool
    forbidden_found: list[str] = field(default_factory=list)
    expected: int = 1
    count: int = 0
    sources: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Found, and no forbidden form present."""
        return self.found and not self.forbidden_found

    @property
    def status(self) -> str:
        """``applied`` (ok), ``forbidden`` (found, but a forbidden form too) or ``missing``."""
        return "applied" if self.ok else ("forbidden" if self.found else "missing")


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str, ignore_case: bool, plural: bool) -> re.Pattern:
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    lead = r"(?<!\w)" if phrase[:1].isalnum() else ""
    suffix = r"(?:e?s)?" if plural and phrase[-1:].isalpha() else ""
    tail = r"(?!\w)" if phrase[-1:].isalnum() else ""
    return re.compile(lead + body + suffix + tail, re.IGNORECASE if ignore_case else 0)


#: Characters ``re.IGNORECASE`` equates with ``i`` that ``str.casefold`` keeps apart: dotless ı, and
#: dotted İ (which casefolds to ``i`` plus a combining dot). Mapped before casefolding.
_FOLD_EXTRA = str.maketrans({"\u0131": "i", "\u0130": "i"})


@lru_cache(maxsize=256)
def _fold(text: str) -> str:
    return text.translate(_FOLD_EXTRA).casefold()


def _find(phrase: str, ignore_case: bool, plural: bool, text: str) -> Iterator[re.Match[str]]:
    """``_phrase_pattern(...).finditer(text)``, skipping the scan when the phrase's first word is absent.

    The check is a plain substring test (C speed); the regex with its word-boundary lookarounds
    cannot use a literal prefix and scans every position, which made enforcement quadratic on a
    long text (each of its many terms scanned all of it, several times per candidate).
    """
    words = phrase.split()
    first = words[0] if words else phrase
    if ignore_case:
        if _fold(first) not in _fold(text):
            return iter(())
    elif first not in text:
        return iter(())
    return _phrase_pattern(phrase, ignore_case, plural).finditer(text)


def rendering_spans(entry: Entry, rendering: str, text: str, *, strict: bool = False) -> list[tuple[int, int]]:
    """Where ``rendering`` (of ``entry``) occurs in English ``text``, under the entry's case policy.

    Unless ``strict``, the entry's ``also`` forms (with an English plural) count too.
    """
    also = entry.also if not strict and rendering == entry.target else ()
    return list(_spans(rendering, also, entry.case == "ignore", text))


@lru_cache(maxsize=1024)
def _spans(rendering: str, also: tuple[str, ...], ignore: bool, text: str) -> tuple[tuple[int, int], ...]:
    """:func:`rendering_spans`, remembered: a sentence's candidates are checked for the same term many
    times (a long text repeats its terms: 4,699 checks, 402 different, on a 1,374-word unpunctuated text).
    """
    spans = {m.span() for m in _find(rendering, ignore, ignore, text)}
    for form in also:
        spans.update(m.span() for m in _find(form, ignore, True, text))
    # drop spans inside longer ones (``North Korean`` also contains ``North Korea``)
    ordered = sorted(spans, key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int]] = []
    for span in ordered:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return tuple(kept)


def forbidden_in(entry: Entry, text: str, allowed: Iterable[tuple[int, int]] = ()) -> list[str]:
    """The entry's forbidden forms that occur in ``text`` outside the ``allowed`` spans."""
    allowed = list(allowed)
    return [form for form in entry.forbidden if any(_outside(span, allowed) for span in _forbidden_spans(form, text))]


def wrong_forms(entry: Entry, surfaces: Iterable[str], text: str, allowed: Iterable[tuple[int, int]] = ()) -> list[str]:
    """Every form of ``entry`` in ``text`` outside ``allowed`` that breaks the glossary, once each.

    Its forbidden forms (:func:`forbidden_in`), then the matched Indonesian ``surfaces`` left in the
    English (:func:`left_untranslated`): what verification fails a term for and what records report.
    """
    allowed = list(allowed)
    return list(dict.fromkeys(forbidden_in(entry, text, allowed) + left_untranslated(entry, surfaces, text, allowed)))


def left_untranslated(
    entry: Entry, surfaces: Iterable[str], text: str, allowed: Iterable[tuple[int, int]] = ()
) -> list[str]:
    """The Indonesian ``surfaces`` of ``entry`` that stand word for word in English ``text`` outside ``allowed``.

    A matched source form copied into the English (``Ukraina said …``) breaks the glossary as a
    forbidden form does. Matched as written (``AS`` is not ``as``), or capitalised (``pasukan`` at the
    start of a sentence), never lower-cased (the rank ``Mayor`` is not the English ``mayor``). Not
    counted: a form that is also one of the entry's English forms (``Seoul``), and the form glossed in
    brackets right after the rendering (``House of Representatives (DPR)``).
    """
    return list(dict.fromkeys(surface for surface, _ in untranslated_spans(entry, surfaces, text, allowed)))


def untranslated_spans(
    entry: Entry, surfaces: Iterable[str], text: str, allowed: Iterable[tuple[int, int]] = ()
) -> list[tuple[str, tuple[int, int]]]:
    """Each copy :func:`left_untranslated` counts: the surface and where it stands in ``text``."""
    if entry.case == "keep-source":  # its rendering is the source form itself
        return []
    english = {_fold(form) for form in (entry.target, *entry.also)}
    allowed = list(allowed)
    copies = []
    for surface in dict.fromkeys(surfaces):
        if _fold(surface) in english or not surface[:1].isalpha():
            continue
        for form in dict.fromkeys((surface, surface[:1].upper() + surface[1:])):
            for match in _find(form, False, False, text):
                if _outside(match.span(), allowed) and not _glossed(text, match.span(), allowed):
                    copies.append((surface, match.span()))
    return sorted(copies, key=lambda copy: copy[1])


def _outside(span: tuple[int, int], allowed: Sequence[tuple[int, int]]) -> bool:
    return not any(a <= span[0] and span[1] <= b for a, b in allowed)


def _glossed(text: str, span: tuple[int, int], allowed: Sequence[tuple[int, int]]) -> bool:
    """``span`` stands in brackets right after one of the ``allowed`` spans: ``Ukraine (Ukraina)``."""
    start, end = span
    if not text[end:].lstrip().startswith(")"):
        return False
    return any(re.fullmatch(r"\s*\(\s*", text[b:start]) for _, b in allowed if b <= start)


@lru_cache(maxsize=1024)
def _forbidden_spans(form: str, text: str) -> tuple[tuple[int, int], ...]:
    """Where a forbidden ``form`` occurs in ``text`` (any case, no plural), remembered like :func:`_spans`."""
    return tuple(m.span() for m in _find(form, True, False, text))


def check_matches(matches: Sequence[Match], translation: str, *, strict: bool = False) -> list[TermCheck]:
    """Check already-found source ``matches`` against ``translation``, one TermCheck per (entry, rendering).

    ``strict``: only the rendering itself counts (not the entry's ``also`` forms).
    """
    groups: dict[tuple[str, str], list[Match]] = {}
    for match in matches:
        groups.setdefault((match.entry.id, match.entry.rendering(match.term)), []).append(match)
    checks = []
    for (entry_id, rendering), group in groups.items():
        entry = group[0].entry
        spans = rendering_spans(entry, rendering, translation, strict=strict)
        checks.append(
            TermCheck(
                entry_id=entry_id,
                target=rendering,
                found=bool(spans),
                forbidden_found=wrong_forms(entry, (m.surface for m in group), translation, spans),
                expected=len(group),
                count=len(spans),
                sources=tuple(dict.fromkeys(m.surface for m in group)),
            )
        )
    return checks


def check_translation(glossary: Glossary, source: str, translation: str, *, strict: bool = False) -> list[TermCheck]:
    """Which entries matched in ``source`` are rendered in ``translation`` and which forbidden forms appear."""
    return check_matches(glossary.match(source), translation, strict=strict)


def check_article_files(
    glossary: Glossary, source: Path, translation: Path, *, keep_boilerplate: bool = False
) -> list[TermCheck]:
    """:func:`check_translation` of two article files (what ``idtrans glossary check`` reports).

    Both sides are read as ``idtrans translate`` reads an article (:func:`~idtrans.corpus.html.load_article`):
    the text of a saved web page, not its markup, and, unless ``keep_boilerplate``, without boilerplate
    lines (related links, comment prompts, ...).
    """
    texts = []
    for path in (source, translation):
        article = load_article(path, keep_boilerplate=keep_boilerplate)
        texts.append("\n\n".join(([article.title] if article.title else []) + [p.text for p in article.paragraphs]))
    return check_translation(glossary, texts[0], texts[1])


@dataclass
class TermStats:
    """Totals over many sentences: ``rate`` is the term success rate (found / matched).

    The one place term checks are counted (``idtrans glossary check``, the term-success metric of
    :mod:`idtrans.eval.score`); ``missed_by_entry`` counts the sentences that miss each entry.
    """

    matched: int = 0
    found: int = 0
    forbidden: int = 0
    sentences_with_terms: int = 0
    missed_by_entry: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return self.matched - self.found

    @property
    def rate(self) -> float:
        return self.found / self.matched if self.matched else 1.0

    def add(self, checks: Sequence[TermCheck]) -> None:
        if checks:
            self.sentences_with_terms += 1
        self.matched += len(checks)
        self.found += sum(check.found for check in checks)
        self.forbidden += sum(bool(check.forbidden_found) for check in checks)
        for check in checks:
            if not check.found:
                self.missed_by_entry[check.entry_id] = self.missed_by_entry.get(check.entry_id, 0) + 1


def term_success(
    glossary: Glossary, sources: Sequence[str], translations: Sequence[str], *, strict: bool = False
) -> TermStats:
    """The term success rate of ``translations`` of ``sources`` (same length, line-aligned)."""
    if len(sources) != len(translations):
        raise ValueError(f"{len(sources)} sources but {len(translations)} translations")
    stats = TermStats()
    for source, translation in zip(sources, translations):
        stats.add(check_translation(glossary, source, translation, strict=strict))
    return stats
