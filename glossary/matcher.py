"""Finding glossary entries in Indonesian text.

Rules (each one is covered by a table test in ``tests/test_glossary_matcher.py``):

- whole words only: a match never starts or ends inside a longer word (``AS`` is not found in
  ``KASUS``, ``Rusia`` not in ``Rusiawi``);
- a multi-word form matches across any run of whitespace (``Korea  Utara``, a line break);
- the entry's case policy decides whether case must agree (``as-written``, ``keep-source``)
  or not (``ignore``);
- Indonesian clitics and particles attached to a term are part of the match but not of the
  term: ``Rusianya``, ``Rusia-nya``, ``NATO-lah``, ``Ukrainakah``, ``Moskowpun`` (``-nya``,
  ``-lah``, ``-kah``, ``-pun``, and the possessives ``-ku``, ``-mu``);
- hyphenated forms: a term inside a hyphenated compound is found (``pro-Rusia``,
  ``Korea Utara-Rusia``), and a reduplicated single-word term is one match (``negara-negara``);
- longest match first, then non-overlapping: ``Menteri Pertahanan Ukraina`` wins over
  ``Menteri Pertahanan`` + ``Ukraina`` when both are entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from idtrans.glossary.schema import Entry

#: Clitics and particles that attach to the end of an Indonesian word.
CLITICS = ("nya", "lah", "kah", "pun", "ku", "mu")
_CLITIC = r"(?i:-?(?:" + "|".join(CLITICS) + r"))"
_WORD = re.compile(r"\w+")
_SENTENCE_START = re.compile(r"""(?:^\s*|[.!?…]["'”’)\]]*\s+)["'“‘(\[]*$""")


@dataclass(frozen=True)
class Match:
    """One occurrence of a glossary entry in a source text.

    ``start``/``end`` span the whole surface, clitic included (``Rusianya``); ``term_end`` is
    where the term itself ends (so ``text[term_end:end]`` is the clitic, often empty).
    """

    entry: Entry
    start: int
    end: int
    surface: str
    term_end: int
    form: str
    sentence_start: bool = False

    @property
    def term(self) -> str:
        """The matched term without its clitic."""
        return self.surface[: self.term_end - self.start]

    @property
    def clitic(self) -> str:
        return self.surface[self.term_end - self.start :]

    @property
    def rendering(self) -> str:
        """The English the output must contain for this match."""
        text = self.entry.rendering(self.term)
        if self.entry.case == "ignore" and self.sentence_start and text[:1].islower():
            text = text[0].upper() + text[1:]
        return text


@dataclass(frozen=True)
class _Form:
    entry: Entry
    order: int
    form: str
    pattern: re.Pattern


def form_pattern(form: str, case: str) -> re.Pattern:
    """The regex for one source form under a case policy (anchored use: ``pattern.match(text, pos)``)."""
    words = form.split()
    core = r"\s+".join(re.escape(word) for word in words)
    if len(words) == 1 and form[-1:].isalnum():
        core = rf"(?P<core>{core})(?:-(?P=core))?"  # reduplication: negara-negara
    lead = r"(?<!\w)" if form[:1].isalnum() or form[:1] == "_" else ""
    if form[-1:].isalnum():
        tail = rf"(?P<clitic>{_CLITIC})?(?!\w)"
    else:
        tail = r"(?P<clitic>)"
    flags = re.IGNORECASE if case == "ignore" else 0
    return re.compile(rf"{lead}(?P<term>{core}){tail}", flags)


class Matcher:
    """Matches a list of entries in text, indexed by the first word of every source form."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._index: dict[str, list[_Form]] = {}
        self._unindexed: list[_Form] = []
        for order, entry in enumerate(entries):
            for form in entry.sources:
                if not form.strip():
                    continue
                item = _Form(entry, order, form, form_pattern(form, entry.case))
                first = _WORD.search(form)
                if first is None or first.start() != 0:
                    self._unindexed.append(item)
                else:
                    self._index.setdefault(first.group().casefold(), []).append(item)

    def _candidates(self, text: str) -> Iterator[tuple[_Form, re.Match[str]]]:
        for token in _WORD.finditer(text):
            word = token.group().casefold()
            keys = {word}
            for clitic in CLITICS:
                if word.endswith(clitic) and len(word) > len(clitic):
                    keys.add(word[: -len(clitic)])
            for key in keys:
                for item in self._index.get(key, ()):
                    found = item.pattern.match(text, token.start())
                    if found:
                        yield item, found
        for item in self._unindexed:
            for found in item.pattern.finditer(text):
                yield item, found

    def match(self, text: str) -> list[Match]:
        """Non-overlapping matches in text order; overlaps go to the longest surface, then the longest term."""
        seen = set()
        candidates = []
        for item, found in self._candidates(text):
            key = (item.order, found.start(), found.end())
            if key in seen:
                continue
            seen.add(key)
            start, end, term_end = found.start(), found.end(), found.end("term")
            candidates.append((-(end - start), -(term_end - start), start, item.order, item, term_end, end))
        candidates.sort(key=lambda c: c[:4])
        taken: list[tuple[int, int]] = []
        chosen: list[Match] = []
        for _, _, start, _, item, term_end, end in candidates:
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            chosen.append(
                Match(
                    item.entry,
                    start,
                    end,
                    text[start:end],
                    term_end,
                    item.form,
                    bool(_SENTENCE_START.search(text[:start])),
                )
            )
        chosen.sort(key=lambda m: m.start)
        return chosen
