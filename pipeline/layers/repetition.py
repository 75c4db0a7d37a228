"""Detecting degenerate output: the known opus-mt failure of a phrase repeated over and over."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+(?:['’]\w+)?|[^\w\s]")


def repeated_run(
    text: str, *, max_ngram: int = 6, min_repeats: int = 4, min_phrase_repeats: int = 3
) -> tuple[str, int] | None:
    """The longest-covering n-gram repeated back to back, or None.

    A single word counts from ``min_repeats`` repeats, a phrase of two or more tokens from
    ``min_phrase_repeats``: ``"I'm sorry I'm sorry I'm sorry"`` gives ``("i'm sorry", 3)``. Single
    punctuation marks do not count (``"!!!!"`` is emphasis, not degeneration).
    """
    tokens = [t.lower() for t in _WORD.findall(text)]
    best: tuple[str, int] | None = None
    for n in range(1, max_ngram + 1):
        i = 0
        while i + n <= len(tokens):
            gram = tokens[i : i + n]
            repeats = 1
            while tokens[i + repeats * n : i + (repeats + 1) * n] == gram:
                repeats += 1
            if repeats >= (min_repeats if n == 1 else min_phrase_repeats) and any(
                t.isalnum() or "'" in t for t in gram
            ):
                if best is None or repeats * n > best[1] * len(best[0].split()):
                    best = (" ".join(gram), repeats)
                i += repeats * n
            else:
                i += 1
    return best


def is_degenerate(source: str, translation: str, *, max_length_ratio: float = 3.0) -> bool:
    """True when the output repeats itself or is far longer than the source (in words)."""
    if repeated_run(translation) is not None:
        return True
    source_words = max(1, len(source.split()))
    return len(translation.split()) > max_length_ratio * source_words + 8
