"""Splitting sentences that are too long for the model, without losing a character.

Marian models take a bounded number of positions and were trained on single sentences. A
sentence over the limit is cut at clause boundaries, strongest first (``;``, dashes, ``,``,
``:``), the parts merged back greedily while they fit, and only as a last resort cut into
token windows. The parts concatenate to the input exactly (checked).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from idtrans.corpus.segment import ends_with_abbreviation
from idtrans.errors import TranslationError

CountTokens = Callable[[Sequence[str]], list[int]]
SplitTokens = Callable[[str, int], list[str]]

# Each boundary keeps its punctuation with the left part; the following space goes right.
CLAUSE_BOUNDARIES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<=;)(?=\s)"),
    re.compile(r"(?=\s[\u2014\u2013]\s?)|(?<=[\u2014\u2013])(?=\S)|(?=\s--?\s)"),
    re.compile(r"(?<=,)(?=\s)"),
    re.compile(r"(?<=:)(?=\s)"),
)


def split_long(
    text: str,
    count: CountTokens,
    limit: int,
    window_split: SplitTokens,
) -> list[str]:
    """Return consecutive parts of ``text``, each at most ``limit`` tokens by ``count``.

    ``window_split(text, limit)`` is the last resort for a clause with no boundary left.
    """
    parts = _split(text, count, limit, window_split, 0)
    if "".join(parts) != text:
        raise TranslationError(
            "splitting a long sentence lost text", where=text[:60] + "…", hint="report this sentence as a bug"
        )
    return parts


def _split(text: str, count: CountTokens, limit: int, window_split: SplitTokens, level: int) -> list[str]:
    if count([text])[0] <= limit:
        return [text]
    if level >= len(CLAUSE_BOUNDARIES):
        pieces = window_split(text, limit)
        if len(pieces) <= 1:
            raise TranslationError("cannot split an over-long sentence", where=text[:60] + "…")
        return [p for piece in pieces for p in _split_window(piece, count, limit, window_split)]
    pieces = [p for p in CLAUSE_BOUNDARIES[level].split(text) if p]
    if len(pieces) == 1:
        return _split(text, count, limit, window_split, level + 1)
    merged = _merge(pieces, count, limit)
    return [p for piece in merged for p in _split(piece, count, limit, window_split, level + 1)]


def _split_window(piece: str, count: CountTokens, limit: int, window_split: SplitTokens) -> list[str]:
    """A token window can re-encode a little longer than it was cut; cut again if so."""
    if count([piece])[0] <= limit:
        return [piece]
    smaller = window_split(piece, max(2, limit - 4))
    if len(smaller) <= 1:
        raise TranslationError("cannot split an over-long sentence", where=piece[:60] + "…")
    return [p for part in smaller for p in _split_window(part, count, limit, window_split)]


def _merge(pieces: list[str], count: CountTokens, limit: int) -> list[str]:
    """Greedily join adjacent pieces while the joined text still fits the limit."""
    lengths = count(pieces)
    merged, current, current_len = [], pieces[0], lengths[0]
    for piece, length in zip(pieces[1:], lengths[1:]):
        if current_len + length - 1 <= limit and count([current + piece])[0] <= limit:
            current, current_len = current + piece, count([current + piece])[0]
        else:
            merged.append(current)
            current, current_len = piece, length
    merged.append(current)
    return merged


#: Where a sentence may be cut into thoughts the model translates on their own: after an ellipsis,
#: a semicolon, or sentence punctuation the segmenter kept inside a sentence (inside a quotation).
_NEXT_THOUGHT = r"(?=\s*[\w“‘(\[]|\s+[\"'])"  # a word, an opening quote or bracket comes next
_STOPS = re.compile(rf"(?:(?<=…)|(?<=\.\.\.)){_NEXT_THOUGHT}|(?<=[;.?!])(?=\s){_NEXT_THOUGHT}")


def split_at_stops(text: str) -> list[str]:
    """``text`` cut after each ellipsis, ``;``, ``.``, ``?`` or ``!`` that has more text after it.

    A full stop that ends an abbreviation (``Dr.``, ``Jl.``, ``U.S.``, an initial) is not a stop.

    The parts concatenate to ``text`` exactly (the space after a stop goes with the next part); a text
    with no stop inside is one part. Used to retry a translation that stopped early.
    """
    cuts = [m.start() for m in _STOPS.finditer(text) if not ends_with_abbreviation(text[: m.start()])]
    parts = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)]) if a < b]
    if "".join(parts) != text:
        raise TranslationError("cutting a sentence at its stops lost text", where=text[:60] + "…")
    return parts


def split_by_window(text: str, count: Callable[[Sequence[str]], list[int]], window: int) -> list[str]:
    """Cut ``text`` into consecutive pieces of at most ``window`` tokens (by ``count``).

    Cuts fall before a word (its leading whitespace goes with it); a single word longer than
    the window is cut by characters. Pieces are slices of ``text``, so they concatenate to it.
    Backends implement ``Backend.split_tokens`` with this.
    """
    budget = max(1, window - 2)  # room for </s> and a leading word-boundary piece
    words = [match.span() for match in re.finditer(r"\s*\S+", text)]
    if not words:
        return [text] if text else []
    counts = [max(1, n - 1) for n in count([text[a:b] for a, b in words])]
    chunks: list[str] = []
    start, used = 0, 0
    for (begin, end), tokens in zip(words, counts):
        if tokens > budget:
            if begin > start:
                chunks.append(text[start:begin])
            chunks.extend(text[i : min(i + budget, end)] for i in range(begin, end, budget))
            start, used = end, 0
        elif used + tokens > budget and begin > start:
            chunks.append(text[start:begin])
            start, used = begin, tokens
        else:
            used += tokens
    if start < len(text):
        if chunks and not text[start:].strip():
            chunks[-1] += text[start:]
        else:
            chunks.append(text[start:])
    return chunks


def join_translations(parts: Sequence[str]) -> str:
    """Re-join the translations of a split sentence's parts with single spaces."""
    return " ".join(p.strip() for p in parts if p.strip())
