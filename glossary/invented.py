"""Names in the English that nothing in the source accounts for: names a model made up.

A model can write a name the source never had ("Defence Minister Sri Mulyania Ukraine Rustem
Umerov" for ``Menteri Pertahanan Ukraina Rustem Umerov``). :func:`invented_names` lists the
capitalised words of an English text that have no counterpart in its source. A capitalised word
is *accounted for* (rules in order; each covered by a test in ``tests/test_glossary_invented.py``):

1. It has fewer than three letters (``Jl``), is an all-capitals acronym or its plural (``US``
   for ``AS``, ``ATMs``: acronyms are the glossary's business), or holds a digit. A word that
   starts a sentence is checked like any other: an English word is accounted for by rule 3, and
   a made-up word there (``Astem`` after a quote) is as suspect as anywhere.
2. It occurs in the source, ignoring case (a copied name, ``Kursk``), or is a word of the rendering
   (or an ``also`` form) of an item the source requires: a glossary term, a number or date
   (``Monday``), a copied name.
3. It is an English word: in pyspellchecker's English word list (lower case; a British spelling
   such as ``Defence`` or ``Organisation`` is looked up in its American form), or a month or day.
4. It is a country, territory or language in English (pycountry, Babel's CLDR names), or a
   demonym made from one (``Egyptian``, ``Korean``, ``Israeli``).
5. It looks like a source word spelt the English way: same first letter and a similarity of at
   least 0.75 (``Moscow`` for ``Moskow``, ``Sumatra`` for ``Sumatera``), or the first five
   letters in common (``Ukrainian`` for ``Ukraina``).

Everything else is an invented name; adjacent invented words are reported as one name. Few reference
lines of ``../shared/corpora`` are flagged (README: Facts), nearly all for a name the human
translator took from the article's context.

:func:`unknown_words` applies rule 3 to the lower-case words: a word that is not English is one the
model garbled or left in Indonesian.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from idtrans.glossary.numbers import day_names, month_names

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_POSSESSIVE = re.compile(r"['’]s?$")
#: British spelling → American, for the word-list lookup (``Defence`` → defense, ``Organisation`` →
#: organization, ``Centre`` → center, ``Labour`` → labor, ``Analyse`` → analyze).
_BRITISH = (
    ("ence", "ense"),
    ("our", "or"),
    ("isation", "ization"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ising", "izing"),
    ("yse", "yze"),
    ("tre", "ter"),
    ("ogue", "og"),
    ("mme", "m"),
    ("lled", "led"),
    ("lling", "ling"),
    ("ysing", "yzing"),
    ("ae", "e"),
)
#: Words of current news that pyspellchecker's list lacks, so that they are not unknown words.
_MORE_WORDS = frozenset(
    ("app", "apps", "smartphone", "smartphones", "cyber", "cybersecurity", "etc", "cafe", "cafes", "email")
    + ("emails", "online", "offline", "tech", "coronavirus")
)
#: Prefixes written with a hyphen (``pre-war``, ``multi-party``): words of their own only there.
_PREFIXES = frozenset(
    ("anti", "co", "ex", "inter", "mega", "mid", "multi", "non", "post", "pre", "pro", "semi", "sub", "super", "ultra")
)
_DEMONYM_SUFFIXES = ("n", "an", "ian", "ese", "ish", "i", "ic", "s")


@dataclass(frozen=True)
class Counterparts:
    """What an English text may name, given its source: source words and the items' renderings."""

    words: frozenset[str]
    """Casefolded words of the source and of the required items' renderings."""
    stems: tuple[str, ...]
    """Casefolded source words of four letters or more, for the look-alike rule."""
    rendered: frozenset[str] = frozenset()
    """Casefolded words of the required items' renderings alone."""


def counterparts(source: str, renderings: Iterable[str] = ()) -> Counterparts:
    """The counterparts ``source`` and the renderings of its required items give an English text."""
    source_words = {w.casefold() for w in _words(source)}
    rendered = {w.casefold() for rendering in renderings for w in _words(rendering)}
    stems = tuple(sorted(w for w in source_words if len(w) >= 4))
    return Counterparts(frozenset(source_words | rendered), stems, frozenset(rendered))


def _words(text: str) -> list[str]:
    found: list[str] = []
    for m in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", m.group())
        found.append(word)
        if "-" in word:
            found.extend(part for part in word.split("-") if part)
    return found


def invented_names(english: str, known: Counterparts) -> list[str]:
    """The names in ``english`` that ``known`` (its source's counterparts) does not account for."""
    runs: list[list[tuple[int, int]]] = []
    for m in _WORD.finditer(english):
        word = _POSSESSIVE.sub("", m.group()).strip("-")
        if not word or not word[0].isupper():
            continue
        if _accounted(word, known):
            continue
        if runs and english[runs[-1][-1][1] : m.start()] == " ":
            runs[-1].append((m.start(), m.start() + len(word)))
        else:
            runs.append([(m.start(), m.start() + len(word))])
    return [english[run[0][0] : run[-1][1]] for run in runs]


_WEB_ADDRESS = re.compile(r"\S*(?:https?://|www\.|@)\S*|\S+\.(?:com|org|net|id|go\.id)\b\S*", re.IGNORECASE)


def unknown_words(english: str, known: Counterparts) -> list[tuple[str, bool]]:
    """The lower-case words of ``english`` that are not English, each with whether the source has it.

    A model that cannot translate a word copies it (``pijakan``, True) or spells something that is
    no word at all (``troked`` for *bentrok*, False). Words of three letters or more are looked up
    as in rule 3 of the module docstring; a word of a required item's rendering, a country or
    language word, and words in web and e-mail addresses pass. Each word is listed once.
    """
    found: dict[str, bool] = {}
    for m in _WORD.finditer(_WEB_ADDRESS.sub(" ", english)):
        token = m.group()
        if "'" in token or "’" in token or not token.islower():
            continue
        parts = token.split("-")
        for word in parts:
            if len(parts) > 1 and word in _PREFIXES:
                continue
            if len(word) < 3 or not word.isalpha() or word in found or word in known.rendered:
                continue
            if not (is_english_word(word) or word in world_names()):
                found[word] = word in known.words
    return list(found.items())


def _accounted(word: str, known: Counterparts) -> bool:
    letters = [ch for ch in (word[:-1] if word.endswith("s") else word) if ch.isalpha()]
    if len(letters) < 3 or all(ch.isupper() for ch in letters) or any(ch.isdigit() for ch in word):
        return True
    if "-" in word:  # each part, a short prefix (``Pre-``, ``Ex-``) accounted for
        return all(len(part) < 4 or _accounted(part, known) for part in word.split("-") if part)
    lower = word.casefold()
    if lower in known.words or is_english_word(lower) or lower in world_names():
        return True
    return _looks_like_source(lower, known)


@lru_cache(maxsize=65536)
def is_english_word(lower: str) -> bool:
    """Whether a lower-case word is an ordinary English word (a British spelling counts)."""
    words = _english_words()
    if lower in words or lower in _MORE_WORDS or lower in _calendar_words():
        return True
    for british, american in _BRITISH:
        if british in lower and lower.replace(british, american) in words:
            return True
    if lower.endswith("ies") and lower[:-3] + "y" in words:  # poultries
        return True
    return lower.endswith("s") and lower[:-1] in words


def is_common_word(lower: str) -> bool:
    """Whether a lower-case word is frequent in English (pyspellchecker's count at least ``COMMON_COUNT``).

    Frequent: east, ministry, republic, york, the. Not: kursk, jakarta, howard, california, russia.
    """
    return _word_counts().get(lower, 0) >= COMMON_COUNT


#: How often pyspellchecker's English list has counted a word that English repeats freely.
COMMON_COUNT = 2000


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The frequent English words (:func:`is_common_word`), lower case."""
    return frozenset(word for word, count in _word_counts().items() if count >= COMMON_COUNT)


@lru_cache(maxsize=1)
def word_lists_version() -> str:
    """The versions of the word lists behind :func:`unknown_words` (pyspellchecker, pycountry, Babel)."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("pyspellchecker", "pycountry", "babel"):
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=?")
    return ",".join(found)


@lru_cache(maxsize=1)
def _word_counts() -> dict[str, int]:
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en").word_frequency.dictionary)


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    return frozenset(_word_counts())


@lru_cache(maxsize=1)
def _calendar_words() -> frozenset[str]:
    return frozenset(name.casefold() for name in [*month_names().values(), *day_names().values()])


@lru_cache(maxsize=1)
def world_names() -> frozenset[str]:
    """Casefolded English words of country, territory and language names, and demonyms made from them."""
    import pycountry
    from babel import Locale

    english = Locale("en")
    names: list[str] = [*english.territories.values(), *english.languages.values()]
    for country in pycountry.countries:
        names += [country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")]
    words = {w.casefold() for name in names for w in re.findall(r"[^\W\d_]+", name) if len(w) >= 3}
    derived = set(words)
    for word in words:
        if len(word) < 4:
            continue
        for base in {word, word[:-1]} if word[-1] in "aeyo" else {word}:
            derived.update(base + suffix for suffix in _DEMONYM_SUFFIXES)
    return frozenset(derived)


def _looks_like_source(lower: str, known: Counterparts) -> bool:
    """A source word spelt the English way: same first letter and similar, or five first letters shared."""
    for stem in known.stems:
        if stem[0] != lower[0]:
            continue
        if len(stem) >= 5 and len(lower) >= 5 and stem[:5] == lower[:5]:
            return True
        if difflib.SequenceMatcher(None, stem, lower).ratio() >= 0.75:
            return True
    return False
