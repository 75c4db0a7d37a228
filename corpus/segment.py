"""Indonesian sentence segmentation for news text.

A careful rule-based splitter (no Indonesian model exists for the usual libraries: NLTK's Punkt
and pysbd ship none). Sentences are cut only at whitespace, so every character of the paragraph
lands in exactly one sentence; :func:`split_sentences` checks this in code and raises
:class:`SegmentationLossError` if it ever failed.

The rules, in order (a sentence boundary is a whitespace gap after a token ``t``, before ``n``):

1. ``t`` must end in a terminator ``.`` ``!`` ``?`` ``…`` (``...``), optionally followed by
   closing quotes/brackets (``kalinya.``, ``Utara.”``, ``Kursk”.``, ``itu?)``). Terminators
   inside a bracket pair do not count (``[…]``, ``(dll.)``).
2. No boundary inside a quotation ``“…”`` / ``«…»`` / ``"…"`` (a straight quote opens at the
   start or after a space or bracket and closes elsewhere), or inside
   ``(…)`` / ``[…]``, when the pair closes in the same paragraph within ``max_quote_chars``
   characters (default 400). So a quote spanning several sentences stays one unit with its
   reporting clause; a quote that never closes in the paragraph (news style for quotes that run
   over several paragraphs), or an overlong one, is split inside like normal text.
3. A lone ``.`` after a known abbreviation that precedes names or numbers (``Dr.``, ``Prof.``,
   ``No.``, ``Jl.``, ``Bpk.``, ``Hj.``, military and police ranks ``Letjen.``, ``Brigjen.``,
   ``Kol.`` …, month abbreviations ``Nov.``), after a single capital letter (initials
   ``J. K. Rowling``, ``Susilo B. Yudhoyono``) or after a dotted acronym (``A.S.``, ``a.n.``,
   ``S.H.``, ``Ph.D.``) is not a boundary. List-ending abbreviations (``dll.``, ``dsb.``,
   ``dst.``, ``dkk.``, ``tsb.``) are treated like ordinary words (rule 4).
4. Otherwise the next token must start a sentence: after any opening quotes/brackets/dashes,
   its first letter is a capital or a digit. So ``“… itu.” kata Umerov`` and ``“Siapa?” tanya
   dia`` stay whole, and numbers (``11.000``, ``3,5``, ``4.5``) never split because a token
   with a period inside does not end in one.
5. An ellipsis followed by a lowercase word or by a bracket (``dunia… [melakukan]``) is not a
   boundary (rule 4 plus: a bracket after an ellipsis never starts a sentence).
6. A company-form suffix (``Ltd.``, ``Inc.``, ``Tbk.``) never starts a sentence, and a piece
   without any letter or digit (a stray ``?``, ``…`` or ``”.``) never stands alone: it stays
   with the sentence before it (or after it, at the start of the paragraph).

When in doubt the splitter keeps text together: a missed boundary costs little (the translator
gets two sentences at once), a false one cuts a sentence in half.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Abbreviations after which a period never ends a sentence (they precede a name, place or
#: number). Matched case-sensitively as written and also in lower case.
ABBREVIATIONS: frozenset[str] = frozenset(
    [
        "Dr.",
        "Dra.",
        "Drs.",
        "Prof.",
        "Ir.",
        "dr.",
        "drg.",
        "Hj.",
        "Bpk.",
        "Bp.",
        "Sdr.",
        "Sdri.",
        "Tn.",
        "Ny.",
        "Nn.",
        "Yth.",
        "St.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "Jr.",
        "Sr.",
        "Jl.",
        "Jln.",
        "Gg.",
        "Kel.",
        "Kec.",
        "Kab.",
        "Kota.",
        "Prov.",
        "Ds.",
        "Komp.",
        "Blok.",
        "Kav.",
        "Rp.",
        "No.",
        "Nom.",
        "Tel.",
        "Telp.",
        "Fax.",
        "Hp.",
        "Hal.",
        "hlm.",
        "tgl.",
        "pk.",
        "pkl.",
        "vs.",
        "ps.",
        "al.",
        "Bab.",
        "Psl.",
        "ayat.",
        "Vol.",
        "Ed.",
        "Ket.",
        "Ref.",
        "Jend.",
        "Jen.",
        "Letjen.",
        "Mayjen.",
        "Brigjen.",
        "Kol.",
        "Letkol.",
        "Mayor.",
        "Kapt.",
        "Lettu.",
        "Letda.",
        "Peltu.",
        "Pelda.",
        "Serma.",
        "Serka.",
        "Sertu.",
        "Serda.",
        "Kopka.",
        "Koptu.",
        "Kopda.",
        "Praka.",
        "Pratu.",
        "Prada.",
        "Laksamana.",
        "Laksdya.",
        "Laksda.",
        "Laksma.",
        "Marsdya.",
        "Marsda.",
        "Marsma.",
        "Komjen.",
        "Irjen.",
        "Kombes.",
        "AKBP.",
        "Kompol.",
        "AKP.",
        "Iptu.",
        "Ipda.",
        "Aiptu.",
        "Aipda.",
        "Bripka.",
        "Brigpol.",
        "Briptu.",
        "Bripda.",
        "Gen.",
        "Lt.",
        "Col.",
        "Capt.",
        "Maj.",
        "Sgt.",
        "Cpl.",
        "Pvt.",
        "Adm.",
        "Cmdr.",
        "Gov.",
        "Sen.",
        "Rep.",
        "Rev.",
        "Pres.",
        "Wapres.",
        "Menhan.",
        "Mendagri.",
        "Jan.",
        "Feb.",
        "Mar.",
        "Apr.",
        "Jun.",
        "Jul.",
        "Agu.",
        "Agt.",
        "Ags.",
        "Aug.",
        "Sep.",
        "Sept.",
        "Okt.",
        "Oct.",
        "Nov.",
        "Des.",
        "Dec.",
    ]
)

#: Abbreviations that commonly end a sentence; they get no protection (listed for documentation
#: and tests: a period after them is a boundary when the next word starts with a capital).
SENTENCE_FINAL_ABBREVIATIONS: frozenset[str] = frozenset(
    ["dll.", "dsb.", "dst.", "dkk.", "tsb.", "sbb.", "yl.", "etc.", "Ltd.", "Inc.", "Co.", "Corp."]
)

DEFAULT_MAX_QUOTE_CHARS = 400

#: Words that never start a sentence although capitalised: company-form suffixes.
_COMPANY_SUFFIXES = frozenset(["Ltd", "Inc", "Tbk", "Co", "Corp", "LLC", "PLC", "Plc", "Pte", "GmbH", "Bhd"])

_TERMINATORS = ".!?…"
_CLOSERS = "\"”’'»)]}"
_OPENERS = "\"“‘'«([{"
_LEADING = _OPENERS + "-–—•*·"
_PAIRS = {"“": "”", "«": "»", "(": ")", "[": "]", "{": "}"}
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]{1,3}\.)+[A-Za-z]{1,3}")
_TOKEN = re.compile(r"\S+")
_SPACE = re.compile(r"\s+")
_ALNUM = re.compile(r"[^\W_]")


class SegmentationLossError(RuntimeError):
    """The split lost or added characters: a bug in the splitter, never expected."""


def _pairs(text: str, opener: str, closer: str) -> list[tuple[int, int]]:
    """Matched (open, close) index pairs of one bracket/quote kind; unmatched ones are dropped."""
    stack: list[int] = []
    pairs = []
    for index, char in enumerate(text):
        if char == opener:
            stack.append(index)
        elif char == closer and stack:
            pairs.append((stack.pop(), index))
    return pairs


def _straight_pairs(text: str, char: str) -> list[tuple[int, int]]:
    """Pairs of a straight quote, read by direction.

    A quote at the start or after whitespace or an opening bracket opens; any other closes.
    Openers and closers then pair like curly quotes, so a quote left open (a quotation that
    continues in the next paragraph) or a stray closer protects nothing.
    """
    stack: list[int] = []
    pairs = []
    for index, c in enumerate(text):
        if c != char:
            continue
        before = text[index - 1] if index else " "
        if before.isspace() or before in "([{“‘«—–-":
            stack.append(index)
        elif stack:
            pairs.append((stack.pop(), index))
    return pairs


def _spans(text: str, max_chars: int) -> tuple[_Coverage, _Coverage]:
    """(inside a protected pair, inside a bracket pair) position tests."""
    brackets = [pair for o, c in _BRACKETS.items() for pair in _pairs(text, o, c)]
    quotes = [pair for o, c in _PAIRS.items() if o not in _BRACKETS for pair in _pairs(text, o, c)]
    quotes += _straight_pairs(text, '"')
    protected = [(o, c) for o, c in brackets + quotes if c - o <= max_chars]
    return _Coverage(len(text), protected), _Coverage(len(text), brackets)


class _Coverage:
    """Which character positions lie inside some span (o, c], answered in O(1)."""

    def __init__(self, length: int, spans: Iterable[tuple[int, int]]) -> None:
        depth = [0] * (length + 2)
        for o, c in spans:
            depth[o + 1] += 1
            depth[c + 1] -= 1
        running = 0
        self._inside = []
        for value in depth:
            running += value
            self._inside.append(running > 0)

    def __call__(self, position: int) -> bool:
        return self._inside[position]


def _starts_sentence(token: str, *, after_ellipsis: bool) -> bool:
    if after_ellipsis and token[0] in "([{":
        return False
    stripped = token.lstrip(_LEADING)
    if not stripped:
        return True  # a lone opening quote or dash: a new sentence begins
    first = stripped[0]
    return first.isupper() or first.isdigit()


def ends_with_abbreviation(text: str) -> bool:
    """True when ``text`` ends with an abbreviation's full stop (``Dr.``, ``Jl.``, an initial, ``U.S.``)."""
    words = text.split()
    if not words or not words[-1].endswith("."):
        return False
    word = words[-1].lstrip(_LEADING)[:-1]
    return bool(word) and _is_abbreviation(word, ABBREVIATIONS)


def _is_abbreviation(word: str, abbreviations: frozenset[str]) -> bool:
    dotted = word + "."
    if dotted in abbreviations or dotted.lower() in abbreviations:
        return True
    if len(word) == 1 and word.isupper():
        return True  # an initial: J. K. Rowling
    return _DOTTED_ACRONYM.fullmatch(word) is not None  # A.S., a.n., Ph.D.


def _ends_sentence(
    text: str,
    start: int,
    end: int,
    next_token: str,
    in_brackets: _Coverage,
    abbreviations: frozenset[str],
) -> bool:
    token = text[start:end]
    core = token.rstrip(_TERMINATORS + _CLOSERS)
    tail_start = start + len(core)
    # Terminators in the tail that are not inside a bracket pair ("[…]", "(dll.)").
    terms = "".join(text[i] for i in range(tail_start, end) if text[i] in _TERMINATORS and not in_brackets(i))
    if not terms:
        return False
    ellipsis = "…" in terms or terms.count(".") >= 2
    if next_token.rstrip(_TERMINATORS + _CLOSERS + ",;:") in _COMPANY_SUFFIXES:
        return False  # "Concept Link. Ltd." / "Pokphand Tbk. Tbk." : a company suffix never opens a sentence
    if terms == ".":
        word = core.lstrip(_LEADING)
        if word and _is_abbreviation(word, abbreviations):
            return False
    return _starts_sentence(next_token, after_ellipsis=ellipsis)


def split_sentences(
    paragraph: str,
    *,
    max_quote_chars: int = DEFAULT_MAX_QUOTE_CHARS,
    abbreviations: Iterable[str] | None = None,
) -> list[str]:
    """Split one paragraph into sentences (see the module docstring for the rules).

    Sentences are stripped slices of ``paragraph``, in order; whitespace inside a sentence is
    kept as it was. ``abbreviations`` replaces :data:`ABBREVIATIONS` (pass
    ``ABBREVIATIONS | {"Kemenhan."}`` to extend it). An empty or blank paragraph gives ``[]``.
    """
    known = ABBREVIATIONS if abbreviations is None else frozenset(abbreviations)
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(paragraph)]
    if not tokens:
        return []
    in_protected, in_brackets = _spans(paragraph, max_quote_chars)
    spans: list[tuple[int, int]] = []
    begin = tokens[0][0]
    for (start, end), (next_start, next_end) in zip(tokens, tokens[1:]):
        if in_protected(end):  # the gap after the token lies inside an open quote/bracket pair
            continue
        if not _ALNUM.search(paragraph, begin, end):
            continue  # never leave a sentence without a letter or digit ("?", "…", "”.")
        if _ends_sentence(paragraph, start, end, paragraph[next_start:next_end], in_brackets, known):
            spans.append((begin, end))
            begin = next_start
    final = tokens[-1][1]
    if spans and not _ALNUM.search(paragraph, begin, final):
        spans[-1] = (spans[-1][0], final)  # a trailing piece without letters joins the sentence before it
    else:
        spans.append((begin, final))
    sentences = [paragraph[b:e] for b, e in spans]
    _check_lossless(paragraph, sentences)
    return sentences


def _check_lossless(paragraph: str, sentences: list[str]) -> None:
    if _SPACE.sub("", paragraph) != _SPACE.sub("", "".join(sentences)):
        raise SegmentationLossError(
            "sentence splitting lost or changed text; please report this paragraph as a bug: " + paragraph[:200]
        )
