"""Protecting matched glossary terms from the model, and restoring their renderings afterwards.

``protect`` replaces every matched span of a source sentence with a stand-in the model is
likely to copy through unchanged; ``restore`` turns the stand-ins in the model's output back
into the English renderings. Text outside the matched spans is never touched, and
``unprotect`` inverts ``protect`` exactly (both are property-tested).

Strategies (measured on the stand-in model by ``benchmarks/glossary_terms.py``):

``inline``
    code-switching: the English rendering itself is written into the Indonesian source
    (``pasukan North Korea``). Nothing to restore; the model usually copies English through.
``proxy``
    each term becomes a different common proper name that is a single piece of the model's
    vocabulary and that it copies (``London``, ``Paris``, ...); ``restore`` replaces the proxy
    in the output by the rendering. Names the sentence already contains are never used.
``token``
    numbered placeholder tokens (``ZXQ1``); ``restore`` also accepts the spaced-out copies
    small models produce (``ZXQ 1``, ``Z X Q1``).

An attached clitic stays with the stand-in, hyphenated (``Rusianya`` → ``Russia-nya``), the
way Indonesian attaches clitics to foreign words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from idtrans.glossary.matcher import CLITICS, Match

STRATEGIES = ("inline", "proxy", "token")

#: Proxy names: single SentencePiece pieces in OPUS-MT style id-en vocabularies, copied by the model.
PROXIES = (
    "London",
    "Paris",
    "Tokyo",
    "Berlin",
    "Madrid",
    "Sydney",
    "Chicago",
    "Boston",
    "Texas",
    "Florida",
    "Dubai",
    "Delhi",
    "Manchester",
    "Liverpool",
    "Harvard",
    "Alaska",
    "Nigeria",
    "Ghana",
    "Qatar",
    "Kuwait",
    "Nepal",
    "Google",
    "Microsoft",
    "Chelsea",
    "Arsenal",
    "Jakarta",
    "John",
    "David",
    "Michael",
    "Peter",
    "Paul",
    "James",
    "George",
    "Robert",
    "Maria",
    "Brown",
    "Adam",
    "Mark",
)
TOKEN_PREFIX = "ZXQ"


class _Protectable(Protocol):
    """What can be protected: a glossary :class:`Match`, or a required item of :mod:`idtrans.glossary.facts`."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def surface(self) -> str: ...
    @property
    def rendering(self) -> str: ...


SpanT = TypeVar("SpanT", bound=_Protectable)


@dataclass(frozen=True)
class Slot(Generic[SpanT]):
    """One protected span: ``stand_in`` stands for ``span`` in the protected text at ``start``..``end``."""

    span: SpanT
    stand_in: str
    start: int
    end: int

    @property
    def surface(self) -> str:
        """The source text the stand-in replaced."""
        return self.span.surface

    @property
    def rendering(self) -> str:
        """The English the stand-in is restored as."""
        return self.span.rendering


@dataclass(frozen=True)
class Protected(Generic[SpanT]):
    """A source sentence with some of its spans replaced by stand-ins (``slots`` in text order).

    :func:`protect` protects glossary matches (``Protected[Match]``);
    :func:`idtrans.glossary.facts.protect_items` required items (terms, numbers, names).
    """

    source: str
    text: str
    strategy: str
    slots: tuple[Slot[SpanT], ...] = ()


@dataclass
class Restored:
    """A model output with stand-ins turned back into renderings; ``lost`` = slots whose stand-in vanished."""

    text: str
    lost: list[Slot[Match]] = field(default_factory=list)


def literal(text: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement that inserts ``text`` literally (no group references, no backslash processing)."""
    return lambda _match: text


def word_free(word: str, text: str) -> bool:
    """``word`` does not occur in ``text`` as a whole word (any case): free to use as a proxy."""
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is None


def free_proxies(source: str, renderings: Sequence[str]) -> Iterator[str]:
    """The proxy names, in order, that occur neither in ``source`` nor in any of the ``renderings``."""
    taken = source + " " + " ".join(renderings)
    return iter(p for p in PROXIES if word_free(p, taken))


def protect(source: str, matches: Sequence[Match], strategy: str = "inline") -> Protected[Match]:
    """Replace each match (term and clitic) in ``source`` by the strategy's stand-in."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown protection strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    proxies = free_proxies(source, [m.rendering for m in matches])
    placed = []
    for number, match in enumerate(sorted(matches, key=lambda m: m.start), start=1):
        if strategy == "inline":
            stand_in = match.rendering
        elif strategy == "proxy":
            stand_in = next(proxies, None) or f"{TOKEN_PREFIX}{number}"
        else:
            stand_in = f"{TOKEN_PREFIX}{number}"
        clitic = match.clitic
        if clitic and not clitic.startswith("-"):
            clitic = "-" + clitic
        placed.append((match, stand_in, clitic))
    return write_stand_ins(source, placed, strategy, "matches overlap; pass the output of Glossary.match")


def write_stand_ins(
    source: str, placed: Sequence[tuple[SpanT, str, str]], strategy: str, overlap: str
) -> Protected[SpanT]:
    """``source`` with each span (in text order) replaced by its stand-in and clitic; other text untouched.

    ``placed`` holds (span, stand-in, clitic) triples; overlapping spans raise ``ValueError(overlap)``.
    """
    pieces: list[str] = []
    slots: list[Slot[SpanT]] = []
    cursor = length = 0
    for span, stand_in, clitic in placed:
        if span.start < cursor:
            raise ValueError(overlap)
        between = source[cursor : span.start]
        pieces += [between, stand_in + clitic]
        length += len(between)
        slots.append(Slot(span, stand_in, length, length + len(stand_in) + len(clitic)))
        length += len(stand_in) + len(clitic)
        cursor = span.end
    pieces.append(source[cursor:])
    return Protected(source, "".join(pieces), strategy, tuple(slots))


def unprotect(protected: Protected) -> str:
    """The original source back from a protected text (the exact inverse of :func:`protect` and ``protect_items``)."""
    pieces = []
    cursor = 0
    for slot in protected.slots:
        pieces.append(protected.text[cursor : slot.start])
        pieces.append(slot.surface)
        cursor = slot.end
    pieces.append(protected.text[cursor:])
    return "".join(pieces)


def _stand_in_pattern(placeholder: str) -> re.Pattern:
    if placeholder.startswith(TOKEN_PREFIX):
        # tolerate the spacing and case a model adds inside a token: "ZXQ 1", "Z X Q1", "zxq1"
        body = r"\s?".join(re.escape(ch) for ch in placeholder)
        return re.compile(rf"(?<![^\W\d_]){body}(?!\d)", re.IGNORECASE)
    # a proxy name the model took for a plural noun ("two Londons") is restored with its "s"
    return re.compile(rf"(?<!\w){re.escape(placeholder)}(?=s?(?!\w))")


def replace_stand_in(text: str, stand_in: str, rendering: str) -> tuple[str, int]:
    """``text`` with every copy of ``stand_in`` (and a hyphenated clitic after it) replaced by ``rendering``.

    Returns the new text and how many copies were replaced.
    """
    pattern = _stand_in_pattern(stand_in)
    with_clitic = re.compile(pattern.pattern + r"(?:-(?:" + "|".join(CLITICS) + r"))?", pattern.flags)
    return with_clitic.subn(literal(rendering), text)


def fix_possessive(text: str, rendering: str) -> str:
    """A proxy's possessive on a plural-looking rendering: ``London's`` restored as ``Netherlands'``."""
    return re.sub(rf"(?<!\w){re.escape(rendering)}['’]s(?!\w)", lambda m: m.group()[:-1], text)


def restore(output: str, protected: Protected[Match]) -> Restored:
    """Replace every stand-in found in the model ``output`` by its rendering.

    A hyphenated clitic the model copied with the stand-in (``London-nya``) goes too.
    ``inline`` stand-ins *are* renderings: nothing to replace, the output is verified instead.
    """
    if protected.strategy == "inline":
        return Restored(output)
    text, lost = replace_slots(output, protected.slots)
    return Restored(text, lost)


def replace_slots(output: str, slots: Iterable[Slot[SpanT]]) -> tuple[str, list[Slot[SpanT]]]:
    """Every slot's stand-in in ``output`` replaced by its rendering; also the slots whose stand-in is not there.

    Longest stand-ins first, so ZXQ12 is never read as ZXQ1 + "2"; a proxy's possessive on a
    plural-looking rendering is fixed (:func:`fix_possessive`).
    """
    text = output
    lost: list[Slot[SpanT]] = []
    for slot in sorted(slots, key=lambda s: -len(s.stand_in)):
        text, count = replace_stand_in(text, slot.stand_in, slot.rendering)
        if count == 0:
            lost.append(slot)
        elif slot.rendering.endswith("s"):
            text = fix_possessive(text, slot.rendering)
    return text, lost
