"""The text a model is given, and what it gives back: an opening quote mark spaced off its word.

The SentencePiece vocabulary of a small Marian model knows a word at the start of a word (``▁Mereka``),
but not glued to an opening quote: ``“Mereka`` becomes ``▁“ M er e ka`` and the bundled model copies the
fragments untranslated (the sample article's ``“Mereka wearing …``). The model is given ``“ Mereka``
instead, and the space it copies after an opening quote is taken out of its output again.

Measured with the bundled model (CTranslate2 int8, beam 4, no glossary): on the 168 dev sentences
with an opening quote glued to a word BLEU 10.17 → 10.33, chrF++ 31.87 → 32.03; on all of FLORES-200
devtest (with the early-stop retry of :mod:`.sentences`) BLEU 16.23 → 16.26, chrF++ 42.17 → 42.25, and
lower-case source words copied into the English 153 → 146; dev as a whole unchanged (13.1 / 37.2); the
stand-in model of ``../shared/models`` on FLORES BLEU 6.56 → 6.58, chrF++ 29.25 → 29.48. On
the sample article the words after its quotes are translated (``“Mereka`` was copied). Spacing
brackets too (``(UEFA)`` → ``( UEFA)``) was worse (BLEU 12.20 → 12.12 on the 302 dev sentences with
either), so only quote marks are spaced. Straight single quotes are left alone: they are apostrophes too.
"""

from __future__ import annotations

import re

#: An opening quote at the start or after a space or bracket, glued to a word.
_GLUED = re.compile(r"(^|[\s(\[])([\"“‘])(?=\w)")
#: The same quote with one space before its word, as the model writes it back.
_SPACED = re.compile(r"(^|[\s(\[])([\"“‘]) (?=\w)")

#: Part of the translator's identity (and so of the sentence cache key): change it with the rules.
MODEL_TEXT_VERSION = "quotes-spaced-v1"


def model_input(text: str) -> str:
    """``text`` as the model is given it: a space after each opening quote glued to a word."""
    return _GLUED.sub(r"\1\2 ", text)


def model_output(text: str) -> str:
    """The model's output with the space after an opening quote taken out again.

    Only for a text whose input :func:`model_input` changed. A straight ``"`` is an opening quote
    when an even number of them comes before it; a spaced closing one (``ready. " He``) stays.
    """

    def join(match: re.Match[str]) -> str:
        lead, quote = match.group(1), match.group(2)
        if quote == '"' and text.count('"', 0, match.start(2)) % 2:
            return match.group(0)
        return lead + quote

    return _SPACED.sub(join, text)
