"""The text a model is given, and what it gives back: an opening quote mark spaced off its word, and
a sentence's capitalised first word in lower case where the vocabulary knows only that form whole.

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

The same vocabulary knows ``▁hujan`` but not ``▁Hujan`` (``▁Hu jan``), and the bundled model copied a
capitalised first word it reads only in fragments into the English (``Hujan derasss that …``,
``Gempa shake the west Montana``, the sample's ``And Baik to them``). A sentence's first word (also
after an inner sentence end, not after an abbreviation) is given in lower case when the lower-case
form is one token of the model's vocabulary and the written form is more (:class:`CaseRule`; names
the vocabulary knows whole, ``Jakarta``, ``Korea``, stay as written), and the English gets its
capital back. In a title-case headline (:func:`is_headline`, 81 of the dev lines) every such word is
lowered and the English is written in title case, as the references are.

Measured with the bundled model (CTranslate2 int8, beam 4, no glossary) on the sentences the first-word
rule changes (525 of the 1,921 dev sentences, 295 of the 1,012 of FLORES-200 devtest): first words
copied into the English 64 → 3 (dev) and 38 → 2 (FLORES); BLEU 14.27 → 14.19 and chrF++ 38.59 →
39.07 (dev), BLEU 16.27 → 16.86 and chrF++ 42.94 → 44.00 (FLORES). Lowering the word only where the
model had copied it (a retry) kept less: dev 14.24 / 38.81, FLORES 16.24 / 43.09. The headline rule
on the dev lines it changed: BLEU 10.04 → 10.33, chrF++ 32.31 → 33.93. All of it, ``idtrans eval
run`` with the glossary / without: dev BLEU 14.72 / 14.10 → 14.71 / 14.13, chrF++ 38.97 / 38.26 →
39.14 / 38.50; FLORES BLEU 17.66 / 17.32 → 17.73 / 17.46, chrF++ 44.01 / 43.61 → 44.27 / 43.92.
The stand-in model of ``../shared/models`` (FLORES, no glossary): BLEU 6.59 → 6.69, chrF++ 29.41 → 29.68.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from idtrans.corpus.segment import ends_with_abbreviation

#: An opening quote at the start or after a space or bracket, glued to a word.
_GLUED = re.compile(r"(^|[\s(\[])([\"“‘])(?=\w)")
#: The same quote with one space before its word, as the model writes it back.
_SPACED = re.compile(r"(^|[\s(\[])([\"“‘]) (?=\w)")

#: Part of the translator's identity (and so of the sentence cache key): change it with the rules.
MODEL_TEXT_VERSION = "quotes-spaced-v1,case-v1"

#: A sentence's first word, after any opening punctuation: ``Hujan``, ``“Baik``, and after an inner
#: sentence end (``… gagal total. Baik bagi mereka``).
_SENTENCE_WORD = re.compile(r"(?:^|[.!?…][\"'”’)\]]*\s+)[^\w\s]*([^\W\d_]+)")
#: A sentence's first letter in the English, after any opening punctuation.
_SENTENCE_LETTER = re.compile(r"(?:^|[.!?…][\"'”’)\]]*\s+)[^\w\s]*([^\W\d_])")
#: A word of letters.
_WORD = re.compile(r"[^\W\d_]+")
#: The first letter of the English when it starts the text, after any opening punctuation.
_FIRST_LETTER = re.compile(r"^[^\w]*([^\W\d_])")
#: English words a title-case headline leaves in lower case unless they start it.
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of off on onto or over per than the to up via vs with".split()  # noqa: SIM905
)
#: Indonesian function words a title-case headline leaves in lower case (``Warga Dievakuasi ke SMP 129``).
_HEADLINE_SMALL_WORDS = frozenset(
    "atas atau bagi dalam dan dari dengan di ke oleh pada per untuk usai vs yang".split()  # noqa: SIM905
)
#: How many words :class:`CaseRule` remembers before it starts again.
_MAX_ANSWERS = 100_000


class CaseRule:
    """Which capitalised words a model reads better in lower case, asked of its tokenizer once a word.

    ``count_tokens`` is the backend's (each text's token count, ``</s>`` included): a word is lowered
    when its lower-case form counts one token more than the empty text and its written form more than that.
    """

    def __init__(self, count_tokens: Callable[[Sequence[str]], list[int]]) -> None:
        self._count = count_tokens
        self._empty: int | None = None
        self._answers: dict[str, bool] = {}

    def lowers(self, word: str) -> bool:
        """``word`` (``Hujan``) is better given as ``hujan``."""
        answer = self._answers.get(word)
        if answer is None:
            if len(word) < 2 or not word[0].isupper() or not word[1:].islower():
                answer = False
            else:
                if self._empty is None:
                    self._empty = self._count([""])[0]
                lower, written = self._count([word.lower(), word])
                answer = lower == self._empty + 1 < written
            if len(self._answers) >= _MAX_ANSWERS:  # a long-running server meets ever more words
                self._answers.clear()
            self._answers[word] = answer
        return answer


def is_headline(text: str) -> bool:
    """``text`` is a title-case headline: no closing full stop, and of three or more words other than short
    function words (``di``, ``ke``, ``dan`` …), all but one in seven start with a capital."""
    words = [word for word in _WORD.findall(text) if word not in _HEADLINE_SMALL_WORDS]
    if len(words) < 3 or text.rstrip(" \"'”’)]").endswith("."):
        return False
    return sum(not word[0].isupper() for word in words) * 7 <= len(words)


def title_case(english: str) -> str:
    """``english`` in title case: each word's first letter a capital, short function words inside it kept low."""
    first = _FIRST_LETTER.match(english)
    start = first.start(1) if first is not None else -1

    def capital(match: re.Match[str]) -> str:
        word = match.group()
        if match.start() != start and word.lower() in _SMALL_WORDS:
            return word
        return word[0].upper() + word[1:]

    return re.sub(r"(?<![\w'’])[^\W\d_][\w'’-]*", capital, english)


def model_input(text: str) -> str:
    """``text`` as the model is given it: a space after each opening quote glued to a word."""
    return _GLUED.sub(r"\1\2 ", text)


@dataclass(frozen=True)
class ModelText:
    """One source text as the model is given it (:attr:`text`), and the way back for its output."""

    source: str
    text: str
    lowered: bool = False
    headline: bool = False

    @classmethod
    def of(cls, source: str, case: CaseRule | None = None) -> ModelText:
        """``source`` with its opening quotes spaced and, where ``case`` says, capitalised words in lower case.

        A sentence's first word; in a title-case headline (:func:`is_headline`), every word.
        """
        if case is None:
            return cls(source, model_input(source))
        if is_headline(source):
            text = _WORD.sub(lambda m: m.group().lower() if case.lowers(m.group()) else m.group(), source)
            return cls(source, model_input(text), text != source, headline=True)
        text = _SENTENCE_WORD.sub(lambda m: _lower_group(m, case), source)
        return cls(source, model_input(text), lowered=text != source)

    def output(self, generated: str) -> str:
        """The model's English for this text: quotes joined where they were spaced, the source's capitals back.

        After a lowered first word the English starts with a capital; a headline's English is in title case.
        """
        english = model_output(generated) if _GLUED.search(self.source) else generated
        if self.headline:
            return title_case(english)
        if self.lowered:
            english = _SENTENCE_LETTER.sub(_upper_group, english)
        return english


def _lower_group(match: re.Match[str], case: CaseRule) -> str:
    """The match with its word (group 1) in lower case when ``case`` lowers it and a sentence starts there."""
    word = match.group(1)
    if not case.lowers(word) or _after_abbreviation(match):
        return match.group()
    start = match.start(1) - match.start()
    return match.group()[:start] + word.lower()


def _upper_group(match: re.Match[str]) -> str:
    """The match with its letter (group 1) a capital, unless the stop before it ends an abbreviation."""
    if _after_abbreviation(match):
        return match.group()
    return match.group()[:-1] + match.group(1).upper()


def _after_abbreviation(match: re.Match[str]) -> bool:
    """The stop a sentence-start match begins with ends an abbreviation (``Jl.``, ``U.S.``, ``a.m.``, ``Mr.``)."""
    return match.start() > 0 and ends_with_abbreviation(match.string[: match.start() + 1])


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
