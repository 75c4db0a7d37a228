"""Scraped-page boilerplate: a documented, extensible set of whole-line rules.

Each :class:`Rule` is a named regular expression that must match a *whole* line (after
stripping surrounding whitespace; runs of whitespace, including no-break spaces, count as one
space). Rules never look inside a line, so a sentence such as "Membaca buku membuka wawasan."
or "Iklan rokok dilarang di televisi." is never touched: a rule fires only on the shape of a
link line, a button label or a bare prompt.

The default rules (:meth:`BoilerplateRules.default`):

======================  ==========================================================================
``related-link``        related-article links: ``MEMBACA  Israel menyerang … | Berita …``,
                        ``BACA JUGA: …``, ``Baca juga: …``, ``Baca Juga …``, ``Simak juga: …``,
                        ``Lihat juga: …``, ``Artikel terkait: …``, ``Read more: …`` (a keyword in
                        capitals, or followed by a colon, then at most 250 characters)
``comment-prompt``      ``Tinggalkan komentar``, ``Komentar``, ``Tinggalkan Balasan``,
                        ``12 Komentar``, ``Leave a comment`` (alone on a line)
``advertisement``       ``Advertisement``, ``Iklan``, ``ADVERTISEMENT``, ``Scroll to continue with
                        content``, ``Gulir untuk melanjutkan`` (alone, optionally in brackets/dashes)
``share-prompt``        ``Bagikan``, ``Bagikan artikel ini``, ``Share this``, ``Follow us``,
                        ``Ikuti kami di Google News`` …, optionally followed by network names
``social-buttons``      a line made only of two or more network names (``Facebook Twitter WhatsApp``)
``copyright``           ``© 2024 …``, ``Copyright 2024 …``, ``Hak cipta dilindungi undang-undang``
``newsletter-prompt``   ``Berlangganan newsletter …``, ``Subscribe to our newsletter``, ``Dapatkan
                        update berita pilihan dan breaking news setiap hari …``
``tags``                ``Tags: …``, ``Tag: …``, ``Topik: …``, ``Kata kunci: …`` (at most 200 characters)
======================  ==========================================================================

Extend or trim the set without editing this file::

    rules = BoilerplateRules.default().extend([Rule("promo", r"Promo .{0,80}", "shop promos")])
    rules = BoilerplateRules.default().without("tags")
    kept, removed = strip_boilerplate(lines, rules)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rule:
    """A named pattern matched against whole stripped lines (``re.fullmatch``).

    ``pattern`` is a string or a compiled pattern; strings are compiled with ``flags``
    (none by default, so case matters unless the pattern says ``(?i)``).
    """

    name: str
    pattern: str | re.Pattern[str]
    description: str = ""
    flags: int = 0
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ValueError("a boilerplate rule needs a non-empty name")
        compiled = self.pattern if isinstance(self.pattern, re.Pattern) else re.compile(self.pattern, self.flags)
        object.__setattr__(self, "regex", compiled)

    def matches(self, line: str) -> bool:
        """True if the whole line (whitespace-normalised, stripped) is this kind of boilerplate."""
        text = _SPACE.sub(" ", line).strip()
        return bool(text) and self.regex.fullmatch(text) is not None


@dataclass(frozen=True)
class RemovedLine:
    """A line taken out of an article: its 1-based line number, text and the rule that fired."""

    line_no: int
    text: str
    rule: str


_NETWORKS = (
    r"(?:facebook|fb|twitter|x|whatsapp|wa|telegram|line|linkedin|e-?mail|email|pinterest|reddit|"
    r"instagram|tiktok|youtube|threads|google news|copy link|salin tautan|salin link|print|cetak)"
)
_SEP = r"(?:\s*[,|/·•]\s*|\s+)"  # network names are separate words, never run together ("xx")
_NETWORK_LIST = rf"(?:(?:\s*[:\-–—]\s*|\s+){_NETWORKS}(?:{_SEP}{_NETWORKS})*)?"
_HEADLINE = r".{1,250}"

_DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        "related-link",
        # Capitalised keyword (MEMBACA, BACA JUGA, …) then a headline; or any-case keyword + colon.
        rf"(?:(?:MEMBACA|BACA JUGA|BACA|SIMAK JUGA|SIMAK|LIHAT JUGA|ARTIKEL TERKAIT|BERITA TERKAIT|"
        rf"BACA SELENGKAPNYA|READ MORE|READ ALSO|ALSO READ|Baca Juga|Simak Juga|Lihat Juga)"
        rf"\s*[:\-–—|»>]?\s+{_HEADLINE}"
        rf"|(?i:membaca|baca juga|baca|simak juga|simak|lihat juga|artikel terkait|berita terkait|"
        rf"baca selengkapnya|read more|read also|also read|related)\s*[:»>]\s*(?:{_HEADLINE})?"
        rf"|(?i:baca juga|simak juga|lihat juga|artikel terkait|berita terkait|baca selengkapnya|read more))",
        "related-article link lines (MEMBACA …, BACA JUGA: …, Baca juga: …)",
    ),
    Rule(
        "comment-prompt",
        r"(?i:(?:tinggalkan|beri(?:kan)?|tulis(?:kan)?|kirim)\s+(?:sebuah\s+)?(?:komentar|balasan)(?:\s+anda)?"
        r"|(?:\d+\s+)?komentar|lihat komentar|tampilkan komentar|(?:\d+\s+)?comments?|leave a (?:comment|reply)"
        r"|tinggalkan balasan)\s*[:.]?",
        "comment prompts (Tinggalkan komentar, Komentar, Leave a comment) alone on a line",
    ),
    Rule(
        "advertisement",
        r"[\[(\-–—\s]*(?i:advertisement|iklan|ads?|sponsored|konten bersponsor|scroll to continue(?: with content)?"
        r"|gulir untuk melanjutkan(?: membaca)?|lanjutkan membaca)[\])\-–—\s]*",
        "advertisement markers (Advertisement, Iklan, Scroll to continue) alone on a line",
    ),
    Rule(
        "share-prompt",
        rf"(?i:bagikan(?: artikel ini| berita ini| ini)?|share(?: this(?: article| story| post)?)?|follow us(?: on)?"
        rf"|ikuti kami(?: di)?|ikuti (?:berita|update)[\w\s.]{{0,60}}di(?: google news| whatsapp channel| telegram)"
        rf"|dapatkan berita[\w\s.]{{0,60}}di(?: google news| whatsapp channel| "
        rf"telegram))\s*[:.!]?{_NETWORK_LIST}\s*[.!]?",
        "share and follow prompts (Bagikan, Share this, Follow us, Ikuti kami di …)",
        re.IGNORECASE,
    ),
    Rule(
        "social-buttons",
        rf"{_NETWORKS}(?:{_SEP}{_NETWORKS})+",
        "a row of share buttons: two or more network names and nothing else",
        re.IGNORECASE,
    ),
    Rule(
        "copyright",
        r"(?:©|\((?i:c)\)\s*\d{4}|(?i:copyright)\s*(?:©|\(c\))?\s*\d{4}).{0,150}"
        r"|(?i:hak cipta dilindungi undang-undang|all rights reserved)\.?",
        "copyright lines (© 2024 …, Copyright 2024 …, Hak cipta dilindungi undang-undang)",
    ),
    Rule(
        "newsletter-prompt",
        r"(?i:berlangganan(?: newsletter| buletin)?|subscribe(?: to (?:our|the) newsletter)?|sign up for "
        r"(?:our|the) newsletter"
        r"|daftar(?:kan diri)? (?:newsletter|buletin)[\w\s]{0,60}"
        r"|dapatkan update berita (?:pilihan|terbaru|terkini)[\w\s.,]{0,120})\s*[:.!]?",
        "newsletter and update prompts",
    ),
    Rule(
        "tags",
        r"(?i:tags?|topik|kata kunci)\s*:\s*.{1,200}",
        "tag/topic lists (Tags: …, Topik: …)",
    ),
)


class BoilerplateRules(Sequence[Rule]):
    """An ordered, immutable set of :class:`Rule`; the first matching rule names a removal."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: tuple[Rule, ...] = tuple(rules)
        for rule in self._rules:
            if not isinstance(rule, Rule):
                raise TypeError(f"not a boilerplate Rule: {rule!r}")
        names = [rule.name for rule in self._rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate boilerplate rule names: {', '.join(duplicates)}")

    @classmethod
    def default(cls) -> BoilerplateRules:
        """The built-in rules described in this module's docstring."""
        return cls(_DEFAULT_RULES)

    @classmethod
    def none(cls) -> BoilerplateRules:
        """No rules: nothing is removed."""
        return cls(())

    def extend(self, rules: Iterable[Rule]) -> BoilerplateRules:
        """A new set with ``rules`` appended (names must stay unique)."""
        return BoilerplateRules((*self._rules, *rules))

    def without(self, *names: str) -> BoilerplateRules:
        """A new set without the named rules (unknown names raise ``KeyError``)."""
        unknown = set(names) - set(self.names)
        if unknown:
            raise KeyError(f"no boilerplate rule named {', '.join(sorted(unknown))}")
        return BoilerplateRules(rule for rule in self._rules if rule.name not in names)

    @property
    def names(self) -> list[str]:
        return [rule.name for rule in self._rules]

    def match(self, line: str) -> Rule | None:
        """The first rule matching the whole line, or None."""
        for rule in self._rules:
            if rule.matches(line):
                return rule
        return None

    @overload
    def __getitem__(self, index: int) -> Rule: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Rule]: ...

    def __getitem__(self, index: int | slice) -> Rule | Sequence[Rule]:
        return self._rules[index]

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __repr__(self) -> str:
        return f"BoilerplateRules({self.names})"


def as_rules(rules: BoilerplateRules | Iterable[Rule] | None) -> BoilerplateRules:
    """``None`` means the default rules; a list of :class:`Rule` is taken as the whole set."""
    if rules is None:
        return BoilerplateRules.default()
    if isinstance(rules, BoilerplateRules):
        return rules
    return BoilerplateRules(rules)


def find_boilerplate(lines: Sequence[str], rules: BoilerplateRules | Iterable[Rule] | None = None) -> list[RemovedLine]:
    """The boilerplate lines among ``lines`` (1-based numbers); blank lines never match."""
    ruleset = as_rules(rules)
    found = []
    for number, line in enumerate(lines, start=1):
        rule = ruleset.match(line)
        if rule is not None:
            found.append(RemovedLine(number, line.strip(), rule.name))
    return found


def strip_boilerplate(
    lines: Sequence[str],
    rules: BoilerplateRules | Iterable[Rule] | None = None,
) -> tuple[list[str], list[RemovedLine]]:
    """Split ``lines`` into the lines kept (in order) and the :class:`RemovedLine` records."""
    removed = find_boilerplate(lines, rules)
    gone = {item.line_no for item in removed}
    kept = [line for number, line in enumerate(lines, start=1) if number not in gone]
    return kept, removed
