"""Required items of a sentence — glossary terms, numbers, names — checked, protected and repaired alike.

1. :func:`required_items` lists, for one Indonesian sentence, every item its English must get
   right, without overlaps: glossary matches first (longest wins), then numbers, dates and
   times (:mod:`idtrans.glossary.numbers`), then copied names (:mod:`idtrans.glossary.names`).
2. :meth:`Item.ok` checks one item in an English text: a term's rendering (or an ``also``
   form, plural, possessive) and none of its forbidden forms, nor its Indonesian form copied; a
   number in an accepted English form; a name copied exactly.
3. :func:`protect_items` writes stand-ins into the source for the items a failed sentence
   needs: ``proxy`` puts a proxy name (a common proper name the model copies) for terms and
   names, ``inline`` writes a term's English rendering itself; numbers are always written in
   their English form. :func:`restore_items` turns proxies back into renderings;
   :func:`unprotect_items` is the exact inverse of :func:`protect_items` (property-tested).
4. :func:`repair_text` fixes what can be located without guessing: a number written with the
   right digits in the wrong format (``1030 WIB`` → ``10:30 WIB``, ``1.250`` → ``1,250``), a
   date that lost its day (``November 2024`` → ``4 November 2024``), a name misspelt by a
   letter or two (``Volodyyr`` → ``Volodymyr``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from idtrans.glossary.check import rendering_spans, wrong_forms
from idtrans.glossary.invented import Counterparts, counterparts, invented_names, is_common_word
from idtrans.glossary.matcher import Match
from idtrans.glossary.names import NameFact, find_names
from idtrans.glossary.numbers import NumberFact, find_numbers, month_names
from idtrans.glossary.protect import (
    TOKEN_PREFIX,
    Protected,
    free_proxies,
    replace_slots,
    unprotect,
    write_stand_ins,
)
from idtrans.glossary.schema import Glossary

KINDS = ("term", "number", "name")
#: Kinds whose failure makes a sentence fail hard (names are checked, but only a better-scored
#: candidate may change a name: a name rule can be wrong, a glossary or number rule is not).
HARD_KINDS = ("term", "number")
PROTECT_STRATEGIES = ("proxy", "inline")


@dataclass(frozen=True)
class Item:
    """One thing a sentence's English must get right: ``kind`` is term, number or name."""

    kind: str
    start: int
    end: int
    surface: str
    rendering: str
    match: Match | None = None
    number: NumberFact | None = None
    name: NameFact | None = None

    @property
    def label(self) -> str:
        """What the record calls it: the entry id, the number's kind, or ``name``."""
        if self.match is not None:
            return self.match.entry.id
        return self.number.kind if self.number is not None else "name"

    def spans_in(self, english: str) -> list[tuple[int, int]]:
        if self.match is not None:
            return rendering_spans(self.match.entry, self.rendering, english)
        if self.number is not None:
            return self.number.spans_in(english)
        assert self.name is not None
        return self.name.spans_in(english)

    def ok(self, english: str) -> bool:
        """Rendered in ``english`` (and, for a term, no forbidden form outside the rendering)."""
        spans = self.spans_in(english)
        if not spans:
            return False
        return self.match is None or not wrong_forms(self.match.entry, (self.surface,), english, spans)


def required_items(
    source: str, glossary: Glossary | None = None, *, numbers: bool = True, names: bool = True
) -> list[Item]:
    """Every item ``source`` requires, in text order, never overlapping."""
    items: list[Item] = []
    taken: list[tuple[int, int]] = []
    if glossary is not None:
        for match in glossary.match(source):
            items.append(Item("term", match.start, match.end, match.surface, match.rendering, match=match))
            taken.append((match.start, match.end))
    if numbers:
        spelling = glossary.spelling if glossary is not None else "british"
        for fact in find_numbers(source, spelling):
            if not any(fact.start < b and a < fact.end for a, b in taken):
                items.append(Item("number", fact.start, fact.end, fact.surface, fact.rendering, number=fact))
                taken.append((fact.start, fact.end))
    if names:
        for name in find_names(source, taken):
            items.append(Item("name", name.start, name.end, name.surface, name.surface, name=name))
    return sorted(items, key=lambda item: item.start)


# ------------------------------------------------------------------------------- protection


#: A source with stand-ins for some of its items (``slots`` in text order).
ProtectedItems = Protected[Item]


def protect_items(source: str, items: Sequence[Item], strategy: str = "proxy") -> ProtectedItems:
    """Write each item's stand-in into ``source`` (see the module rules); other text is untouched."""
    if strategy not in PROTECT_STRATEGIES:
        raise ValueError(f"unknown protection strategy {strategy!r}; choose one of {', '.join(PROTECT_STRATEGIES)}")
    proxies = free_proxies(source, [item.rendering for item in items])
    placed = []
    for number, item in enumerate(sorted(items, key=lambda i: i.start), start=1):
        clitic = ""
        if item.kind == "number" or (strategy == "inline" and item.kind == "term"):
            stand_in = item.rendering
        elif strategy == "inline":
            stand_in = item.surface
        else:
            stand_in = next(proxies, None) or f"{TOKEN_PREFIX}{number}"
        if item.match is not None and item.match.clitic:
            clitic = item.match.clitic if item.match.clitic.startswith("-") else "-" + item.match.clitic
            if stand_in == item.surface:
                clitic = ""
        placed.append((item, stand_in, clitic))
    return write_stand_ins(source, placed, strategy, "items overlap; pass the output of required_items")


def unprotect_items(protected: ProtectedItems) -> str:
    """The original source back from a protected text (the exact inverse of :func:`protect_items`)."""
    return unprotect(protected)


def restore_items(output: str, protected: ProtectedItems) -> str:
    """Proxies and tokens in a model ``output`` back to their renderings (with a copied ``-nya`` dropped)."""
    stand_ins = [slot for slot in protected.slots if slot.stand_in not in (slot.rendering, slot.surface)]
    return replace_slots(output, stand_ins)[0]


# ------------------------------------------------------------------------------------ repair

_NUMBER_TOKEN = re.compile(r"(?<![\w.,])\d[\d.,:/]*\d(?!\w)|(?<![\w.,])\d(?!\w)")


def _repair_number(text: str, fact: NumberFact) -> str:
    if fact.kind in ("day", "month"):  # a name written in lower case ("june")
        return re.sub(rf"(?<!\w){re.escape(fact.rendering)}(?!\w)", fact.rendering, text, flags=re.IGNORECASE)
    core = _core(fact)
    if not core:
        return text
    if fact.kind == "date" and not fact.surface.startswith("("):
        return _repair_day(text, fact)
    hits = [
        m for m in _NUMBER_TOKEN.finditer(text) if re.sub(r"\D", "", m.group()) == fact.digits and m.group() != core
    ]
    if len(hits) != 1:
        return _repair_expanded(text, fact)
    hit = hits[0]
    return text[: hit.start()] + core + text[hit.end() :]


_MULTIPLIERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def _repair_expanded(text: str, fact: NumberFact) -> str:
    """``Rp 5,000`` for ``Rp 5 ribu``: the amount written out becomes the number and its scale word."""
    scale = next((word for word in _MULTIPLIERS if fact.rendering.endswith(" " + word)), "")
    value = fact.values[0] if fact.values else ""
    if not scale or not re.fullmatch(r"\d+(?:\.\d+)?", value):
        return text
    whole = round(float(value) * _MULTIPLIERS[scale])
    forms = {f"{whole:,}", str(whole)}
    hits = [m for m in _NUMBER_TOKEN.finditer(text) if m.group() in forms]
    if len(hits) != 1:
        return text
    core = re.sub(r"^\D+", "", fact.rendering)  # "Rp 5 thousand" -> "5 thousand"
    return text[: hits[0].start()] + core + text[hits[0].end() :]


def _core(fact: NumberFact) -> str:
    """The digits part of a rendering, as it replaces a wrongly written number in the output."""
    if fact.kind in ("number", "money", "percent", "range"):
        found = re.search(r"-?\d[\d,.]*(?:-\d[\d,.]*)?", fact.rendering)
        return found.group().rstrip(".,") if found else ""
    if fact.kind == "time":
        return fact.rendering.split()[0]
    if fact.kind == "date":
        return fact.rendering.strip("()")
    return ""


def _repair_day(text: str, fact: NumberFact) -> str:
    """Put a lost day before its month (``November 2024`` → ``4 November 2024``), or in British order.

    A day date takes ``on``, not the month's ``in`` (``in November 4`` → ``on 4 November``), and
    British order has no comma before the year (``November 4, 2024`` → ``4 November 2024``).
    """
    day = fact.values[0] if fact.values else ""
    month = next((m for m in month_names().values() if m in fact.rendering), "")
    if not day or not month:
        return text
    swapped = list(re.finditer(rf"(?<!\w){month}\s+{day}(?:st|nd|rd|th)?(?!\w)(?:,(?=\s+\d{{4}}(?!\d)))?", text))
    if not swapped:
        hits = list(re.finditer(rf"(?<!\w){month}(?!\w)", text))
        if len(hits) != 1 or re.search(rf"(?<!\d){day}\D{{0,3}}$", text[: hits[0].start()]):
            return text
        swapped = hits
    for hit in reversed(swapped):
        before = re.sub(
            r"(?<!\w)([Ii])n(\s+)$",
            lambda m: ("O" if m.group(1) == "I" else "o") + "n" + m.group(2),
            text[: hit.start()],
        )
        text = before + f"{day} {month}" + text[hit.end() :]
    return text


def repair_name(text: str, name: NameFact) -> str:
    """A name misspelt by a letter or two (similarity >= 0.85, same first letter) written right."""
    words = name.surface.split()
    tokens = list(re.finditer(r"[^\W\d_][\w'’-]*", text))
    best: tuple[float, int, int] | None = None
    for i in range(len(tokens) - len(words) + 1):
        window = tokens[i : i + len(words)]
        candidate = text[window[0].start() : window[-1].end()]
        if candidate[:1] != name.surface[:1]:
            continue
        ratio = difflib.SequenceMatcher(None, candidate.lower(), name.surface.lower()).ratio()
        if ratio >= 0.85 and (best is None or ratio > best[0]):
            best = (ratio, window[0].start(), window[-1].end())
    if best is None:
        return text
    return text[: best[1]] + name.surface + text[best[2] :]


#: Two words are forms of one word when they share this many first letters (``Ukraine`` /
#: ``Ukrainian``, ``defense`` / ``defence``), or are equal.
_STEM = 5


def _rendered_otherwise(text: str, items: Sequence[Item], index: int) -> bool:
    """Whether ``text`` has a form of a word of the item's rendering outside the other items' renderings.

    ``Ukraine Secretary of Ukraine`` renders ``Menteri Pertahanan Ukraina`` badly, it does not drop it:
    writing ``Ukrainian Defence Minister`` beside the name as well would say it twice. The word of
    another item (``Ukrainian forces`` of ``pasukan Ukraina``) is not this item's rendering.
    """
    masked = text
    for j, other in enumerate(items):
        if j != index:
            for start, end in other.spans_in(text):
                masked = masked[:start] + " " * (end - start) + masked[end:]
    known = re.findall(r"\w{4,}", masked.casefold())
    words = re.findall(r"\w{4,}", items[index].rendering.casefold())
    return any(same_word(word, seen) for word in words for seen in known)


def same_word(a: str, b: str) -> bool:
    """Whether two words are forms of one word: equal, or sharing their first ``_STEM`` letters (any case)."""
    a, b = a.casefold(), b.casefold()
    return a == b or (len(a) >= _STEM and len(b) >= _STEM and a[:_STEM] == b[:_STEM])


def _insert_beside(text: str, items: Sequence[Item], index: int, source: str) -> str:
    """A dropped term written beside its neighbour in the source, when that neighbour occurs once in ``text``.

    ``kantor berita Reuters`` → ``told Reuters`` becomes ``told news agency Reuters``.
    """
    item = items[index]
    if _rendered_otherwise(text, items, index):
        return text  # rendered differently rather than dropped: not for insertion
    for step in (1, -1):
        j = index + step
        if not 0 <= j < len(items):
            continue
        neighbour = items[j]
        gap = source[item.end : neighbour.start] if step == 1 else source[neighbour.end : item.start]
        if gap.strip():
            continue
        spans = neighbour.spans_in(text)
        if len(spans) != 1:
            continue
        start, end = spans[0]
        if step == 1:
            return text[:start] + item.rendering + " " + text[start:]
        return text[:end] + " " + item.rendering + text[end:]
    return text


def repair_text(text: str, items: Sequence[Item], source: str = "") -> str:
    """``text`` with failed items fixed where they can be located unambiguously.

    Numbers (format, a lost day, an amount written out), names (a misspelling), and, given the
    ``source``, a dropped term or number that stood next to another item in the source (written
    beside that item's rendering: ``Monday`` → ``Monday (19 November)``).
    """
    for index, item in enumerate(items):
        if item.ok(text):
            continue
        if item.number is not None:
            text = _repair_number(text, item.number)
        elif item.name is not None:
            text = repair_name(text, item.name)
        if source and not item.spans_in(text) and item.name is None:
            text = _insert_beside(text, items, index, source)
    return text


@dataclass
class ItemChecks:
    """Which items a text renders: ``ok`` in item order; ``hard``/``names`` = counts that pass."""

    ok: list[bool] = field(default_factory=list)
    hard: int = 0
    names: int = 0
    #: names in the text that nothing in the source accounts for (:mod:`idtrans.glossary.invented`)
    invented: list[str] = field(default_factory=list)
    #: names the text writes more often than the source has them (:func:`echoed_renderings`)
    echoed: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(self.ok) and not self.invented and not self.echoed

    @property
    def name_faults(self) -> int:
        """Invented names and echoed ones: what a candidate should have fewer of."""
        return len(self.invented) + len(self.echoed)


def echoed_renderings(items: Sequence[Item], text: str, source: str = "") -> list[str]:
    """Capitalised renderings (names, places, titles) that ``text`` has more often than ``items`` do.

    A small model echoes a name it has already written: ``di wilayah Kursk Rusia`` → "in the Kursk
    Russia's Kursk region", ``Presiden AS George W. Bush`` → "US President US George W. Bush". A
    rendering counts where it is not part of another item's rendering (Jakarta inside East Jakarta).
    """
    groups: dict[str, list[Item]] = {}  # by rendering, ignoring case ("Troops" starting a sentence is "troops")
    for item in items:
        if item.kind != "number":
            groups.setdefault(item.rendering.casefold(), []).append(item)
    groups = {key: group for key, group in groups.items() if any(i.rendering[:1].isupper() for i in group)}
    spans = {key: sorted({span for item in group for span in item.spans_in(text)}) for key, group in groups.items()}
    echoed = []
    for rendering, group in groups.items():
        others = [span for other, found in spans.items() if other != rendering for span in found]
        own = [
            (a, b) for a, b in spans[rendering] if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in others)
        ]
        if len(own) > len(group):
            echoed.append(group[0].rendering)
    return echoed + _echoed_words(items, text, source, echoed)


def _echoed_words(items: Sequence[Item], text: str, source: str, echoed: list[str]) -> list[str]:
    """Name words of the renderings written more often than the renderings or the source have them.

    "Kursk" twice in "the Kursk Russia's Kursk region" for ``wilayah Kursk Rusia`` (rendered "Kursk
    region"). Frequent English words (Ministry, East, The) are left out: English repeats them freely.
    """

    def count(word: str, where: str) -> int:
        return len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", where))

    renderings = [item.rendering for item in items if item.kind != "number"]
    words = {w for r in renderings for w in re.findall(r"[A-Z][\w'’-]{2,}", r) if not is_common_word(w.casefold())}
    found = []
    for word in sorted(words):
        if any(word in e for e in echoed):
            continue
        expected = max(sum(count(word, r) for r in renderings), count(word, source))
        if count(word, text) > expected:
            found.append(word)
    return found


def check_items(items: Sequence[Item], text: str) -> ItemChecks:
    checks = ItemChecks()
    for item in items:
        ok = item.ok(text)
        checks.ok.append(ok)
        if ok and item.kind in HARD_KINDS:
            checks.hard += 1
        elif ok:
            checks.names += 1
    return checks


def item_counterparts(source: str, items: Sequence[Item]) -> Counterparts:
    """What an English rendering of ``source`` may name: its words and its items' renderings (``also`` forms too)."""
    renderings = [item.rendering for item in items]
    renderings += [form for item in items if item.match is not None for form in item.match.entry.also]
    return counterparts(source, renderings)


def check_sentence(items: Sequence[Item], text: str, known: Counterparts | None = None, source: str = "") -> ItemChecks:
    """:func:`check_items`, and, given the ``source``'s ``known`` counterparts, the names ``text`` invents or echoes."""
    checks = check_items(items, text)
    if known is not None:
        checks.invented = invented_names(text, known)
        checks.echoed = echoed_renderings(items, text, source)
    return checks
