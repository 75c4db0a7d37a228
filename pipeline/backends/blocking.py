"""The target tokens that spell a word, for blocking it while decoding (:attr:`Generation.avoid`).

A model may write a word in more than one segmentation and either after a space (``▁any ing``) or
glued to what comes before (``[an y ing``, ``“t t able``): blocking the tokenizer's one canonical
segmentation misses the others. :func:`spellings` gives the ``n`` best segmentations of the
target-side sentencepiece model, each in both forms. A sequence spells the whole word, so blocking
it blocks no other word except one that holds it glued inside (rare, and only in a sentence being
decoded again because its English has words that are not English).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

_SPIECE_UNDERLINE = "\u2581"
#: How many segmentations of a word are blocked, each after a space and glued.
SEGMENTATIONS = 4


def spellings(spm: Any, word: str, vocabulary: Collection[str], n: int = SEGMENTATIONS) -> list[list[str]]:
    """Token sequences of ``word`` (``spm``: a ``SentencePieceProcessor``); each piece in ``vocabulary``."""
    found: list[list[str]] = []
    for pieces in spm.nbest_encode_as_pieces(word, n):
        glued = list(pieces)
        if glued and glued[0] == _SPIECE_UNDERLINE:
            glued = glued[1:]
        elif glued and glued[0].startswith(_SPIECE_UNDERLINE):
            glued[0] = glued[0][1:]
        for sequence in (list(pieces), glued):
            if sequence and sequence not in found and all(piece in vocabulary for piece in sequence):
                found.append(sequence)
    return found
