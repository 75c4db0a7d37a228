"""Numbers, money, percentages, dates and times: found in Indonesian, rendered the English way.

``find_numbers(text)`` returns non-overlapping :class:`NumberFact` spans of an Indonesian
sentence, each with the one English rendering idtrans writes and the English forms that count
as kept when a translation is checked. Rendering is deterministic; the house style:

1. Digits: Indonesian groups thousands with ``.`` and writes decimals with ``,``; English the
   other way round: ``11.000`` → ``11,000``, ``3,5`` → ``3.5``, ``1.250.000,75`` →
   ``1,250,000.75``. A dot followed by other than three digits is already an English decimal
   (``1.5`` stays). Four-digit numbers without a separator (years) stay as written.
2. Scale words translate word for word, the digits as written: ``juta`` → million, ``miliar``/
   ``milyar`` → billion, ``triliun`` → trillion, ``ribu`` → thousand (``10 ribu`` →
   ``10 thousand``, as the news references write it).
3. Money: ``Rp`` is followed by a space (``Rp 229,68 triliun`` → ``Rp 229.68 trillion``, the
   style of Indonesia's English-language press); a dollar sign is attached (``US$ 4,6 miliar``
   → ``US$4.6 billion``). A translation keeps the amount when it has the number with its scale
   word (the currency may be written as a word: "229.68 trillion rupiah").
4. Percentages: ``persen`` → ``per cent`` (British house spelling) or ``percent`` (American);
   ``%`` stays ``%``. Any of ``%``, ``percent``, ``per cent`` after the number counts as kept.
5. Dates: day then month, British order (with British house spelling only that order counts as
   kept; with American spelling ``November 4`` counts too): ``4 November 2024`` → ``4 November 2024``; month and
   day names in English (``Senin`` → Monday, ``Mei`` → May). The news date ``(12/2)`` (day/month)
   → ``(12 February)``. ``Minggu`` is Sunday only where it is a day (after ``hari``, before
   ``(``/``,``, or capitalised inside a sentence), not the week of ``Minggu lalu``.
6. Times: 24-hour with a colon, the zone kept: ``pukul 10.30 WIB`` → ``10:30 WIB`` (``pukul``
   itself is left to the model: "at"). ``10.30`` also counts as kept.
7. Score lines and ranges: ``2-1``, ``10-15``, ``1.000-2.000`` → ``1,000-2,000`` (a hyphen;
   an en dash or ``A to B`` also counts). Negative numbers: ``-5`` → ``-5`` (``minus 5`` counts).
8. Ordinals: ``ke-3`` → ``3rd`` (``third`` counts).
9. Numbers written as words: ``lima`` → ``five`` (``5`` counts), ``dua belas`` → ``twelve``,
   ``dua puluh lima`` → ``twenty-five``; ``satu`` (also "a"/"one of") is not taken. A capitalised
   word is a number only at the start of a sentence before a lower-case word (``Lima orang``),
   so ``Lima`` the city is left alone.

Every fact also carries ``values``: the canonical numbers it contains (``11000``, ``3.5``,
``10:30``), which the number-fidelity metric of ``idtrans eval`` compares with the numbers
:func:`english_values` reads from English text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

#: Indonesian scale words and their English renderings.
SCALES = {"ribu": "thousand", "juta": "million", "miliar": "billion", "milyar": "billion", "triliun": "trillion"}
#: English number words read by :func:`english_values` and written for Indonesian number words.
ENGLISH_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
}
_ENGLISH_BY_VALUE = {value: word for word, value in ENGLISH_WORDS.items() if value < 100}
_ORDINAL_WORDS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ID_UNITS = {"dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9}
_ID_FIXED = {"sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000}
_UNIT = "|".join(_ID_UNITS)
_ZONES = "WIB|WITA|WIT|GMT|UTC"

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?(?:\.\d{1,2}(?!\d))?"
_NUMBER = rf"(?<![\w.,/])(?:{_NUM})(?![\w/]|[.,]\d)"
_SCALE = r"(?:ribu|juta|miliar|milyar|triliun)"


@lru_cache(maxsize=1)
def month_names() -> dict[str, str]:
    """Indonesian month name (and common variants) → English month name, from Babel's CLDR data."""
    from babel.dates import get_month_names

    indonesian = get_month_names("wide", locale="id")
    english = get_month_names("wide", locale="en")
    names = {str(indonesian[m]): str(english[m]) for m in range(1, 13)}
    names.update({"Pebruari": "February", "Nopember": "November"})
    return names


@lru_cache(maxsize=1)
def day_names() -> dict[str, str]:
    """Indonesian day name (and the spelling ``Jum'at``) → English day name, from Babel's CLDR data."""
    from babel.dates import get_day_names

    indonesian = get_day_names("wide", locale="id")
    english = get_day_names("wide", locale="en")
    names = {str(indonesian[d]): str(english[d]) for d in range(7)}
    names["Jum'at"] = names["Jumat"]
    return names


@dataclass(frozen=True)
class NumberFact:
    """One number, amount, date or time in a source sentence.

    ``rendering`` is the English idtrans writes; ``accept`` the regular expressions (without
    word boundaries) of English forms that count as kept; ``digits`` the source's digits in
    order (what a substitution looks for in a model output); ``values`` the canonical numbers.
    """

    kind: str
    start: int
    end: int
    surface: str
    rendering: str
    accept: tuple[str, ...]
    values: tuple[str, ...] = ()
    digits: str = ""

    def found_in(self, english: str) -> bool:
        """Whether an accepted English form occurs in ``english`` as whole words/numbers."""
        return any(_accept_pattern(form).search(english) for form in self.accept)

    def spans_in(self, english: str) -> list[tuple[int, int]]:
        return sorted({m.span() for form in self.accept for m in _accept_pattern(form).finditer(english)})


@lru_cache(maxsize=8192)
def _accept_pattern(form: str) -> re.Pattern:
    return re.compile(rf"(?<!\w)(?<!\d[.,]){form}(?![\w]|[.,]\d)")


def english_number(surface: str) -> str:
    """An Indonesian-written number in English digits: ``11.000`` → ``11,000``, ``3,5`` → ``3.5``."""
    negative = surface.startswith(("-", "−"))
    body = surface.lstrip("-−")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", body):
        whole, _, decimal = body.partition(",")
        text = whole.replace(".", ",") + (f".{decimal}" if decimal else "")
    else:
        text = body.replace(",", ".")
    return ("-" if negative else "") + text


def canonical(surface: str) -> str:
    """The value of an Indonesian-written number as a plain string: ``11.000`` → ``11000``, ``3,50`` → ``3.5``."""
    english = english_number(surface).replace(",", "")
    if "." in english:
        english = english.rstrip("0").rstrip(".")
    return english


def _number_forms(english: str) -> list[str]:
    """Regex forms of an English number that count as kept: with or without thousands commas."""
    forms = [re.escape(english)]
    plain = english.replace(",", "")
    if plain != english:
        forms.append(re.escape(plain))
    return forms


def _alt(forms: list[str]) -> str:
    return forms[0] if len(forms) == 1 else "(?:" + "|".join(forms) + ")"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def ordinal(n: int) -> str:
    """``3`` → ``3rd``, ``11`` → ``11th``, ``21`` → ``21st``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def english_words(n: int) -> str:
    """``5`` → ``five``, ``25`` → ``twenty-five``, ``100`` → ``a hundred`` (0 < n ≤ 1000)."""
    if n in (100, 1000):
        return "a hundred" if n == 100 else "a thousand"
    if n < 20 or n % 10 == 0:
        return _ENGLISH_BY_VALUE[n]
    return f"{_ENGLISH_BY_VALUE[n - n % 10]}-{_ENGLISH_BY_VALUE[n % 10]}"


class _Finder:
    """One pass over a sentence: patterns tried in order, earlier ones take their spans first."""

    def __init__(self, text: str, spelling: str) -> None:
        self.text = text
        self.spelling = spelling
        self.facts: list[NumberFact] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return not any(start < b and a < end for a, b in self.taken)

    def add(self, kind: str, start: int, end: int, rendering: str, accept: list[str], values: list[str]) -> None:
        if not self.free(start, end):
            return
        surface = self.text[start:end]
        self.taken.append((start, end))
        self.facts.append(
            NumberFact(
                kind, start, end, surface, rendering, tuple(dict.fromkeys(accept)), tuple(values), _digits(surface)
            )
        )

    def run(self) -> list[NumberFact]:
        for step in (
            self.times,
            self.news_dates,
            self.dates,
            self.money,
            self.ranges,
            self.percents,
            self.ordinals,
            self.scaled,
            self.plain,
            self.word_numbers,
            self.days,
        ):
            step()
        return sorted(self.facts, key=lambda f: f.start)

    # -- patterns ----------------------------------------------------------------------------

    def times(self) -> None:
        pattern = (
            rf"(?:(?<=pukul )|(?<=Pukul )|(?<=jam )|(?<=pkl\. )|(?<=pkl ))(\d{{1,2}})[.:](\d{{2}})"
            rf"(?:\s*({_ZONES}))?(?!\d)|(?<![\w.,])(\d{{1,2}})[.:](\d{{2}})\s*({_ZONES})(?!\w)"
        )
        for m in re.finditer(pattern, self.text):
            hour, minute, zone = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
            if int(hour) > 24 or int(minute) > 59:
                continue
            tail = f" {zone}" if zone else ""
            accept = [f"{hour}[:.]{minute}" + (rf"\s?(?:{zone}|local time|a\.?m\.?|p\.?m\.?)?" if zone else "")]
            self.add("time", m.start(), m.end(), f"{hour}:{minute}{tail}", accept, [f"{int(hour)}:{minute}"])

    def news_dates(self) -> None:
        months = list(month_names().values())
        for m in re.finditer(r"\((\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?\)", self.text):
            day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
            if not (1 <= day <= 31 and 1 <= month <= 12):
                continue
            name = months[month - 1]
            year_text = f" {year}" if year and len(year) == 4 else ""
            rendering = f"({day} {name}{year_text})"
            accept = [rf"{day}\s+{name}"]
            if self.spelling != "british":
                accept.append(rf"{name}\s+{day}(?:st|nd|rd|th)?")
            self.add("date", m.start(), m.end(), rendering, accept, [str(day)] + ([year] if year_text else []))

    def dates(self) -> None:
        months = month_names()
        names = "|".join(sorted(months, key=len, reverse=True))
        pattern = rf"(?<![\w.,])(?:(\d{{1,2}})\s+)?({names})(?:\s+(\d{{4}}))?(?!\w)"
        for m in re.finditer(pattern, self.text):
            day, month, year = m.group(1), months[m.group(2)], m.group(3)
            if day and not 1 <= int(day) <= 31:
                continue
            parts = [p for p in (day, month, year) if p]
            rendering = " ".join(parts)
            if day:
                year_form = rf",?\s+{year}" if year else ""
                accept = [rf"{day}\s+{month}{year_form}"]
                if self.spelling != "british":
                    accept.append(rf"{month}\s+{day}(?:st|nd|rd|th)?{year_form}")
            else:
                accept = [rf"{month}" + (rf",?\s+{year}" if year else "")]
            values = [str(int(day))] if day else []
            values += [year] if year else []
            self.add("date" if day else "month", m.start(), m.end(), rendering, accept, values)

    def money(self) -> None:
        pattern = rf"(Rp\.?|US\$|USD|S\$|\$|€|£)\s?({_NUM})(?:\s+({_SCALE}))?(?![\w]|[.,]\d)"
        for m in re.finditer(pattern, self.text):
            symbol, number, scale = m.group(1), m.group(2), m.group(3)
            english = english_number(number)
            scale_en = SCALES[scale.lower()] if scale else ""
            symbol_en = "Rp" if symbol.startswith("Rp") else ("US$" if symbol in ("US$", "USD") else symbol)
            space = " " if symbol_en == "Rp" else ""
            rendering = f"{symbol_en}{space}{english}" + (f" {scale_en}" if scale_en else "")
            core = _alt(_number_forms(english)) + (rf"\s+{scale_en}" if scale_en else "")
            self.add("money", m.start(), m.end(), rendering, [core], [canonical(number)])

    def percents(self) -> None:
        word = "per cent" if self.spelling == "british" else "percent"
        for m in re.finditer(rf"(?<![\w.,])(-?)({_NUM})\s?(persen|%)(?!\w)", self.text):
            english = m.group(1) + english_number(m.group(2))
            rendering = f"{english}%" if m.group(3) == "%" else f"{english} {word}"
            accept = [_alt(_number_forms(english)) + r"\s?(?:%|percent(?!\w)|per\s+cent(?!\w))"]
            self.add("percent", m.start(), m.end(), rendering, accept, [m.group(1) + canonical(m.group(2))])

    def ranges(self) -> None:
        pattern = (
            rf"(?<![\w.,/-])({_NUM})\s?[-–]\s?({_NUM})(?:\s+({_SCALE})|\s?(persen|%))?"
            rf"(?![\w/]|[.,]\d)"
        )
        word = "per cent" if self.spelling == "british" else "percent"
        for m in re.finditer(pattern, self.text):
            first, second = english_number(m.group(1)), english_number(m.group(2))
            a, b = _alt(_number_forms(first)), _alt(_number_forms(second))
            accept = [rf"{a}\s?[-–]\s?{b}", rf"{a}\s+(?:to|and)\s+{b}"]
            rendering = f"{first}-{second}"
            if m.group(3):
                scale = SCALES[m.group(3)]
                rendering += f" {scale}"
                accept = [form + rf"\s+{scale}" for form in accept]
            elif m.group(4):
                rendering += "%" if m.group(4) == "%" else f" {word}"
                accept = [form + r"\s?(?:%|percent(?!\w)|per\s+cent(?!\w))" for form in accept]
            self.add("range", m.start(), m.end(), rendering, accept, [canonical(m.group(1)), canonical(m.group(2))])

    def ordinals(self) -> None:
        for m in re.finditer(r"(?<!\w)ke-(\d{1,4})(?!\w)", self.text):
            n = int(m.group(1))
            accept = [ordinal(n)] + ([_ORDINAL_WORDS[n]] if n < len(_ORDINAL_WORDS) else [])
            self.add("ordinal", m.start(), m.end(), ordinal(n), accept, [str(n)])

    def scaled(self) -> None:
        for m in re.finditer(rf"(?<![\w.,])(-?)({_NUM})\s+({_SCALE})(?!\w)", self.text):
            english = m.group(1) + english_number(m.group(2))
            scale = SCALES[m.group(3)]
            accept = [_alt(_number_forms(english)) + rf"\s+{scale}"]
            self.add("number", m.start(), m.end(), f"{english} {scale}", accept, [m.group(1) + canonical(m.group(2))])

    def plain(self) -> None:
        for m in re.finditer(rf"(?:(?:(?<=\s)|^)[-−](?=\d))?{_NUMBER}", self.text):
            if m.group(0)[0].isdigit() and m.start() > 0 and self.text[m.start() - 1] in "-−":
                continue  # the second half of something like 12-3-2024: not a number of its own
            english = english_number(m.group(0))
            forms = _number_forms(english)
            if english.startswith("-"):
                forms.append(rf"(?:minus|negative)\s+{re.escape(english[1:])}")
            self.add("number", m.start(), m.end(), english, forms, [canonical(m.group(0))])

    def word_numbers(self) -> None:
        word = rf"(?:(?:{_UNIT}) puluh(?: (?:{_UNIT}|satu))?|(?:{_UNIT}) belas|sepuluh|sebelas|seratus|seribu|{_UNIT})"
        pattern = rf"(?<![\w-])({word})(?:\s+({_SCALE}))?(?![\w-])"
        for m in re.finditer(pattern, self.text, re.IGNORECASE):
            phrase = m.group(1)
            if phrase[:1].isupper() and not self._sentence_initial_number(m):
                continue
            if phrase != phrase.lower() and phrase[1:] != phrase[1:].lower():
                continue
            value = _indonesian_value(phrase.lower())
            words = english_words(value)
            scale = SCALES[m.group(2).lower()] if m.group(2) else ""
            rendering = words + (f" {scale}" if scale else "")
            forms = [re.escape(words), str(value)]
            if value == 2 and not scale:
                forms.append("twice|both|a couple")
            accept = ["(?i:" + "|".join(forms) + ")" + (rf"\s+{scale}" if scale else "")]
            self.add("word", m.start(), m.end(), rendering, accept, [str(value)])

    def _sentence_initial_number(self, m: re.Match) -> bool:
        before = self.text[: m.start()]
        after = self.text[m.end() :]
        initial = re.search(r"""(?:^\s*|[.!?…]["'”’)\]]*\s+)["'“‘(\[]*$""", before) is not None
        return initial and re.match(r"\s+[a-z]", after) is not None

    def days(self) -> None:
        days = day_names()
        names = "|".join(sorted(days, key=len, reverse=True))
        for m in re.finditer(rf"(?<!\w)({names})(?!\w)", self.text):
            name = m.group(1)
            if name == "Minggu" and not self._is_sunday(m):
                continue
            self.add("day", m.start(), m.end(), days[name], [days[name]], [])

    def _is_sunday(self, m: re.Match) -> bool:
        before, after = self.text[: m.start()], self.text[m.end() :]
        if re.search(r"(?i:hari)\s+$", before) or re.match(r"\s*[(,]", after):
            return True
        initial = re.search(r"""(?:^\s*|[.!?…:]["'”’)\]]*\s+)["'“‘(\[]*$""", before) is not None
        week_words = r"\s+(?:lalu|ini|depan|ke|pertama|kedua|terakhir|sebelumnya|berikutnya|mendatang)\b"
        return not initial and re.match(week_words, after) is None


def _indonesian_value(phrase: str) -> int:
    words = phrase.split()
    if words[0] in _ID_FIXED:
        return _ID_FIXED[words[0]]
    if len(words) == 1:
        return _ID_UNITS[words[0]]
    if words[1] == "belas":
        return 10 + _ID_UNITS[words[0]]
    tens = 10 * _ID_UNITS[words[0]]
    if len(words) == 3:
        return tens + (1 if words[2] == "satu" else _ID_UNITS[words[2]])
    return tens


def find_numbers(text: str, spelling: str = "british") -> list[NumberFact]:
    """Numbers, amounts, percentages, dates, times, ordinals and number words in Indonesian ``text``."""
    return _Finder(text, spelling).run()


# ------------------------------------------------------------------------------ English side

_EN_NUMBER = re.compile(r"(?<![\w.,:])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,:]\d)")
_EN_TIME = re.compile(r"(?<![\w.,])(\d{1,2})[:.](\d{2})(?!\d)")
_EN_WORD = re.compile(
    r"(?<![\w-])("
    + "|".join(ENGLISH_WORDS)
    + r")(?:-("
    + "|".join(w for w, v in ENGLISH_WORDS.items() if 0 < v < 10)
    + r"))?(?!\w)",
    re.IGNORECASE,
)
_EN_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(?:st|nd|rd|th)(?!\w)")


def english_values(text: str) -> Counter:
    """The numbers an English text contains, read with English conventions, as canonical strings.

    ``11,000`` → ``11000``; ``3.5`` → ``3.5``; ``10:30``/``10.30`` → ``10:30`` (and, for the
    dotted form, the decimal too); ``3rd`` → ``3``; number words ``five`` / ``twenty-five`` → ``5``
    / ``25``. ``11.000`` reads as ``11`` (the Indonesian thousands dot is not English).
    """
    values: Counter = Counter()
    for m in _EN_NUMBER.finditer(text):
        value = m.group(0).replace("−", "-").replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        values[value] += 1
    for m in _EN_TIME.finditer(text):
        if int(m.group(1)) <= 24 and int(m.group(2)) <= 59:
            values[f"{int(m.group(1))}:{m.group(2)}"] += 1
    for m in _EN_ORDINAL.finditer(text):
        values[m.group(1)] += 1
    for m in _EN_WORD.finditer(text):
        number = ENGLISH_WORDS[m.group(1).lower()] + (ENGLISH_WORDS[m.group(2).lower()] if m.group(2) else 0)
        values[str(number)] += 1
    for index, word in enumerate(_ORDINAL_WORDS[1:], start=1):
        count = len(re.findall(rf"(?<!\w){word}(?!\w)", text, re.IGNORECASE))
        if count:
            values[str(index)] += count
    return values


def source_values(text: str) -> Counter:
    """The canonical numbers of an Indonesian text (the ``values`` of its facts)."""
    values: Counter = Counter()
    for fact in find_numbers(text):
        values.update(fact.values)
    return values
