"""The target tokens that spell a word, for blocking it while decoding (:attr:`Generation.avoid`).

A model may write a word in more than one segmentation and either after a space (``▁any ing``) or
glued to what comes before (``[an y ing``, ``“t t able``): blocking the tokenizer's one canonical
segmentation misses the others. :meth:`Blocker.spellings` gives the ``n`` best segmentations of the
target-side sentencepiece model (the one best where the model is not a unigram model), each in both
forms.

Blocking a token sequence blocks every word whose tokens begin with it (the decoder cannot ask what
follows), and a glued sequence blocks it inside a word too. So a sequence is left out when it would
block a frequent English word (:func:`idtrans.glossary.invented.common_words`, as the tokenizer
segments it): a spaced one that begins such a word's tokens (``swimm`` for swimming), a glued one
that occurs anywhere in them, and a glued one of a single token (it would block that token
everywhere: ``ris`` in Harris). Such a glued sequence is blocked after an opening quote or bracket
instead (``▁“ t t able``: ``t t able`` alone would block unforgettable), unless it begins a frequent
word's glued tokens. What remains can still, rarely, block a rare word or a name; the
retry keeps its output only when it has fewer words that are not English and keeps every number
and copied name (:class:`~idtrans.pipeline.layers.sentences.SentenceTranslator`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from idtrans.glossary.invented import common_words

_SPIECE_UNDERLINE = "\u2581"
#: How many segmentations of a word are blocked, each after a space and glued.
SEGMENTATIONS = 4
#: Tokens that open a quotation or an aside, glued to the word after them (``“ttable”``).
OPENERS = ("\u2581“", "“", '\u2581"', '"', "\u2581‘", "‘", "\u2581'", "'", "\u2581(", "(", "\u2581[", "[")
#: The version of these rules (part of the translator's identity; v2: glued sequences after an opener).
BLOCKING_VERSION = f"blocking-v2/{SEGMENTATIONS}"


class Blocker:
    """The token sequences to block for a word, for one target sentencepiece model and vocabulary."""

    def __init__(self, spm: Any, vocabulary: Mapping[str, int]) -> None:
        self.spm = spm
        self.vocabulary = vocabulary
        self._tables: tuple[frozenset[tuple[str, ...]], ...] | None = None

    def spellings(self, word: str, n: int = SEGMENTATIONS) -> list[list[str]]:
        """Token sequences that spell ``word`` and block no frequent English word, each piece in the vocabulary."""
        try:
            segmentations = self.spm.nbest_encode_as_pieces(word, n)
        except RuntimeError:  # NBestEncode is available for unigram models only
            segmentations = [self.spm.encode(word, out_type=str)]
        starts, runs, glued_starts = self._common_tables()
        openers = [token for token in OPENERS if token in self.vocabulary]
        found: list[list[str]] = []
        for pieces in segmentations:
            spaced, glued = tuple(pieces), tuple(_glued(list(pieces)))
            candidates = [spaced] if spaced not in starts else []
            if len(glued) >= 2 and glued not in runs:
                candidates.append(glued)
            elif glued and glued not in glued_starts:  # not everywhere: after an opening quote or bracket
                candidates.extend((opener, *glued) for opener in openers)
            for sequence in candidates:
                if sequence and list(sequence) not in found and all(piece in self.vocabulary for piece in sequence):
                    found.append(list(sequence))
        return found

    def sequences(self, words: Sequence[str]) -> list[list[str]]:
        """The token sequences of all ``words`` (:meth:`spellings`), each once."""
        found: list[list[str]] = []
        for word in words:
            found.extend(pieces for pieces in self.spellings(word) if pieces not in found)
        return found

    def _common_tables(self) -> tuple[frozenset[tuple[str, ...]], ...]:
        """Every beginning of the frequent English words' token sequences, every run in them (glued
        too), and every beginning of their glued sequences."""
        if self._tables is None:
            starts: set[tuple[str, ...]] = set()
            runs: set[tuple[str, ...]] = set()
            glued_starts: set[tuple[str, ...]] = set()
            for word in common_words():
                pieces = tuple(self.spm.encode(word, out_type=str))
                glued = tuple(_glued(list(pieces)))
                starts.update(pieces[:end] for end in range(1, len(pieces) + 1))
                glued_starts.update(glued[:end] for end in range(1, len(glued) + 1))
                for form in (pieces, glued):
                    runs.update(form[i:j] for i in range(len(form)) for j in range(i + 1, len(form) + 1))
            self._tables = frozenset(starts), frozenset(runs), frozenset(glued_starts)
        return self._tables


def _glued(pieces: list[str]) -> list[str]:
    """``pieces`` as the word is written glued to what precedes it (no leading ``▁``)."""
    if pieces and pieces[0] == _SPIECE_UNDERLINE:
        return pieces[1:]
    if pieces and pieces[0].startswith(_SPIECE_UNDERLINE):
        return [pieces[0][1:], *pieces[1:]]
    return pieces
