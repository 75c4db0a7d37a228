"""Splitting sentences that are too long for the model, without losing a character.

Marian models take a bounded number of positions and were trained on single sentences. A
sentence over the limit is cut at clause boundaries, strongest first (``;``, dashes, ``,``,
``:``), the parts merged back greedily while they fit, and only as a last resort cut into
token windows. The parts concatenate to the input exactly (checked).
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from idtrans.errors import TranslationError

# Each boundary keeps its punctuation with the left part; the following space goes right.
CLAUSE_BOUNDARIES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<=;)(?=\s)"),
    re.compile(r"(?=\s[\u2014\u2013]\s?)|(?<=[\u2014\u2013])(?=\S)|(?=\s--?\s)"),
    re.compile(r"(?<=,)(?=\s)"),
    re.compile(r"(?<=:)(?=\s)"),
)


def split_long(
    text: str,
    count: Callable[[Sequence[str]], list[int]],
    limit: int,
    window_split: Callable[[str, int], list[str]],
) -> list[str]:
    """Return consecutive parts of ``text``, each at most ``limit`` tokens by ``count``.

    ``window_split(text, limit)`` is the last resort for a clause with no boundary left.
    """
    parts = _split(text, count, limit, window_split, 0)
    if "".join(parts) != text:
        raise TranslationError("splitting a long sentence lost text", where=text[:60] + "…",
                               hint="report this sentence as a bug")
    return parts


def _split(text, count, limit, window_split, level) -> list[str]:
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


def _split_window(piece, count, limit, window_split) -> list[str]:
    """A token window can re-encode a little longer than it was cut; cut again if so."""
    if count([piece])[0] <= limit:
        return [piece]
    smaller = window_split(piece, max(2, limit - 4))
    if len(smaller) <= 1:
        raise TranslationError("cannot split an over-long sentence", where=piece[:60] + "…")
    return [p for part in smaller for p in _split_window(part, count, limit, window_split)]


def _merge(pieces: list[str], count, limit) -> list[str]:
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


def join_translations(parts: Sequence[str]) -> str:
    """Re-join the translations of a split sentence's parts with single spaces."""
    return " ".join(p.strip() for p in parts if p.strip())
