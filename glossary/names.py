"""Names that Indonesian and English write the same way: found by rules, required to be copied.

No NER model is available offline, so a capitalised word is taken as part of a name by these
rules (each covered by a table test in ``tests/test_glossary_names.py``):

1. A name is a run of capitalised words (``Volodymyr Zelensky``, ``Kursk``), cut at every word
   that is not a name word; an attached hyphenated clitic (``Kursk-nya``) is not part of it.
2. Not a name word: an Indonesian word — a root of the Sastrawi dictionary (PySastrawi's
   ~30,000 *kata dasar*), one of its 800 stop words, or a derived word whose stem is a root
   (``Pasukan`` → ``pasuk``, ``Pejabat`` → ``jabat``) — or one of the common words news
   capitalises (titles, ranks, institutions: ``Presiden``, ``Menteri``, ``Pasukan``,
   ``Kementerian``), a day or month name (those are facts of :mod:`idtrans.glossary.numbers`),
   a word of fewer than three letters, or an all-capitals acronym (``AS`` is "US", ``PBB``
   "UN": acronyms are the glossary's business). A capitalised root word directly before a name
   word is part of the name (``Elon Musk``) unless it starts the sentence.
3. Not a name: an Indonesian country name that English writes differently (``Mesir``,
   ``Filipina``; from the iso-codes translations shipped with pycountry), or one of a short list
   of other place exonyms (``Jawa``, ``Jenewa``). Exonyms in general (``Moskow`` → Moscow) belong
   in the glossary, which is matched first.
4. Spans the glossary or the number finder already took are skipped (they have their own
   renderings), so a name is required only where nothing else decides its English.

A name is *kept* when it occurs in the English exactly as written, as whole words (an English
possessive ``Kursk's`` counts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from idtrans.glossary.numbers import day_names, month_names

#: Capitalised Indonesian common words that are never (the start of) a copied name.
COMMON_WORDS = frozenset(
    [
        "Presiden",
        "Wakil",
        "Menteri",
        "Pasukan",
        "Kementerian",
        "Pemerintah",
        "Panglima",
        "Jenderal",
        "Kolonel",
        "Mayor",
        "Kapten",
        "Letnan",
        "Sersan",
        "Kepala",
        "Ketua",
        "Direktur",
        "Gubernur",
        "Bupati",
        "Walikota",
        "Wali",
        "Kota",
        "Duta",
        "Besar",
        "Juru",
        "Bicara",
        "Pejabat",
        "Pemimpin",
        "Perdana",
        "Raja",
        "Ratu",
        "Pangeran",
        "Sekretaris",
        "Jenderal",
        "Komandan",
        "Kapolri",
        "Kapolda",
        "Polisi",
        "Polri",
        "Tentara",
        "Angkatan",
        "Darat",
        "Laut",
        "Udara",
        "Provinsi",
        "Kabupaten",
        "Kecamatan",
        "Desa",
        "Kelurahan",
        "Jalan",
        "Jl",
        "Gedung",
        "Istana",
        "Pulau",
        "Gunung",
        "Sungai",
        "Danau",
        "Selat",
        "Teluk",
        "Tanjung",
        "Universitas",
        "Institut",
        "Sekolah",
        "Rumah",
        "Sakit",
        "Bandara",
        "Pelabuhan",
        "Stasiun",
        "Markas",
        "Komisi",
        "Dewan",
        "Majelis",
        "Mahkamah",
        "Badan",
        "Lembaga",
        "Dinas",
        "Partai",
        "Perusahaan",
        "Bank",
        "Kantor",
        "Kota",
        "Negara",
        "Republik",
        "Kerajaan",
        "Federasi",
        "Uni",
        "Perserikatan",
        "Bangsa",
        "Organisasi",
        "Perang",
        "Operasi",
        "Undang",
        "Pasal",
        "Bab",
        "Hari",
        "Bulan",
        "Tahun",
        "Abad",
        "Pak",
        "Bu",
        "Bapak",
        "Ibu",
        "Tuan",
        "Nyonya",
        "Saudara",
        "Dr",
        "Prof",
        "Ir",
        "Haji",
        "Hajjah",
        "Sdr",
        "Namun",
        "Tetapi",
        "Selain",
        "Sementara",
        "Menurut",
        "Sebelumnya",
        "Kemudian",
        "Setelah",
        "Saat",
        "Ketika",
        "Dalam",
        "Pada",
        "Dari",
        "Untuk",
        "Dengan",
        "Bagi",
        "Oleh",
        "Sejak",
        "Hingga",
        "Sampai",
        "Sebagai",
        "Para",
        "Dia",
        "Ia",
        "Mereka",
        "Kami",
        "Kita",
        "Saya",
        "Anda",
        "Ini",
        "Itu",
        "Yang",
        "Baca",
        "Juga",
        "Berita",
        "Laporan",
        "Sumber",
        "Foto",
        "Video",
        "Selatan",
        "Utara",
        "Timur",
        "Barat",
        "Tengah",
        "Tenggara",
        "Barat",
        "Laut",
        "Daya",
        "Raya",
        "Agung",
        "Besar",
        "Baru",
        "Wartawan",
        "Ilmuwan",
        "Warga",
        "Pemprov",
        "Pemkot",
        "Pemkab",
        "Pemda",
        "Perda",
        "Perpres",
        "Sudin",
        "Kadis",
        "Kapolsek",
        "Kapolres",
        "Satpol",
        "Koridor",
        "Kepolisian",
        "Kejaksaan",
        "Pengadilan",
        "Rusun",
        "Kampung",
        "Taman",
        "Pasar",
        "Terminal",
        "Kereta",
        "Bus",
        "Tol",
        "Gang",
    ]
)

#: Indonesian names of places that English writes differently and that the country list lacks.
PLACE_EXONYMS = frozenset(
    [
        "Jawa",
        "Sumatera",
        "Kepulauan",
        "Pulau",
        "Selandia",
        "Arab",
        "Tiongkok",
        "Belanda",
        "Inggris",
        "Jerman",
        "Prancis",
        "Perancis",
        "Spanyol",
        "Italia",
        "Yunani",
        "Moskow",
        "Moskwa",
        "Jenewa",
        "Brussel",
        "Den",
        "Haag",
        "Wina",
        "Praha",
        "Kairo",
        "Teheran",
        "Beijing",
        "Peking",
        "Damaskus",
        "Baghdad",
        "Yerusalem",
        "Makkah",
        "Mekkah",
        "Madinah",
        "Tepi",
        "Jalur",
        "Semenanjung",
    ]
)

_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_CLITIC_TAIL = re.compile(r"-(?:nya|lah|kah|pun|ku|mu)$", re.IGNORECASE)


@dataclass(frozen=True)
class NameFact:
    """One name in a source sentence that the English must copy exactly."""

    start: int
    end: int
    surface: str

    @property
    def rendering(self) -> str:
        return self.surface

    def found_in(self, english: str) -> bool:
        return bool(self.spans_in(english))

    def spans_in(self, english: str) -> list[tuple[int, int]]:
        return [m.span() for m in _name_pattern(self.surface).finditer(english)]


@lru_cache(maxsize=8192)
def _name_pattern(name: str) -> re.Pattern:
    body = r"\s+".join(re.escape(word) for word in name.split())
    return re.compile(rf"(?<!\w){body}(?!\w)")


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(StemmerFactory().get_words())


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


@lru_cache(maxsize=1)
def _stemmer():  # pragma: no cover - trivial
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=1)
def country_exonyms() -> frozenset[str]:
    """Indonesian country names (and their words) that English writes differently (pycountry's iso-codes)."""
    import gettext

    import pycountry

    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"])
    except OSError:
        return frozenset()
    names: set[str] = set()
    for country in pycountry.countries:
        for english in {country.name, getattr(country, "common_name", country.name)}:
            indonesian = catalogue.gettext(english)
            if indonesian != english:
                names.update(word for word in indonesian.split() if word not in english.split())
    return frozenset(word.strip(",()") for word in names if word.strip(",()"))


@lru_cache(maxsize=65536)
def is_indonesian_word(word: str) -> bool:
    """Whether a (capitalised) word is an ordinary Indonesian word rather than part of a name."""
    if word in COMMON_WORDS or word in day_names() or word in month_names():
        return True
    lower = word.lower().rstrip(".")
    words = _dictionary()
    if lower in words:
        return True
    if "-" in lower:  # reduplication and compounds: Negara-negara, Undang-Undang
        return all(part in words or _stemmer().stem(part) in words for part in lower.split("-") if part)
    stem = _stemmer().stem(lower)
    return stem != lower and stem in words


def _word_class(word: str) -> str:
    """``name`` (not an Indonesian word), ``weak`` (a capitalised dictionary word) or ``no``."""
    if not word[:1].isupper() or any(ch.isdigit() for ch in word):
        return "no"
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) < 2 or all(ch.isupper() for ch in letters):
        return "no"  # initials and acronyms
    if word.endswith(".") and len(letters) <= 3:
        return "no"  # abbreviations: Jl., Dr.
    if len(letters) < 3 or word in COMMON_WORDS or word in PLACE_EXONYMS or word.lower() in _stop_words():
        return "no"
    if word in day_names() or word in month_names() or word in country_exonyms():
        return "no"
    return "weak" if is_indonesian_word(word) else "name"


_SENTENCE_START = re.compile(r"""(?:^\s*|[.!?…:]["'”’)\]]*\s+)["'“‘(\[]*$""")


def find_names(text: str, taken: Iterable[tuple[int, int]] = ()) -> list[NameFact]:
    """Copied names in Indonesian ``text``, outside the ``taken`` spans (glossary terms, numbers).

    A run of capitalised words joined by single spaces is a name from its first ``name`` word
    on; capitalised dictionary words (``weak``) directly before it count as given names (``Elon
    Musk``, ``Sri Mulyani``) unless the run starts the sentence.
    """
    covered = bytearray(len(text))  # 1 where a taken span is (one lookup per word, however many spans)
    for a, b in taken:
        covered[a:b] = b"\x01" * len(covered[a:b])
    words: list[tuple[int, int, str, bool]] = []  # start, end, class, ended early (clitic/punctuation)
    for m in _WORD.finditer(text):
        word = m.group()
        stripped = _CLITIC_TAIL.sub("", word.rstrip(".’'-")).rstrip(".’'-")
        end = m.start() + len(stripped)
        kind = "no" if 1 in covered[m.start() : end] or not stripped else _word_class(stripped)
        words.append((m.start(), end, kind, stripped != word))
    names: list[NameFact] = []
    run: list[tuple[int, int, str, bool]] = []
    for item in [*words, (-1, -1, "no", True)]:
        joins = bool(run) and item[2] != "no" and not run[-1][3] and text[run[-1][1] : item[0]] == " "
        if run and not joins:
            names.extend(_name_of(text, run))
            run = []
        if item[2] != "no":
            run.append(item)
    return names


def _name_of(text: str, run: list[tuple[int, int, str, bool]]) -> list[NameFact]:
    """The name in one run of capitalised words: from the first ``name`` word to the last one."""
    kinds = [kind for _, _, kind, _ in run]
    if "name" not in kinds:
        return []
    first, last = kinds.index("name"), len(kinds) - 1 - kinds[::-1].index("name")
    if first > 0 and not _SENTENCE_START.search(text[: run[0][0]]):
        first = 0
    start, end = run[first][0], run[last][1]
    return [NameFact(start, end, text[start:end])]
