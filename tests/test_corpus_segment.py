"""Indonesian sentence segmentation (idtrans.corpus.segment)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idtrans.corpus.segment import ABBREVIATIONS, SENTENCE_FINAL_ABBREVIATIONS, split_sentences

CASES = [
    # --- plain boundaries
    ("Dia datang. Dia pergi.", ["Dia datang.", "Dia pergi."]),
    ("Benarkah? Ya! Tentu saja.", ["Benarkah?", "Ya!", "Tentu saja."]),
    ("Tahun ini 2024. 3 orang tewas.", ["Tahun ini 2024.", "3 orang tewas."]),
    ("kata dia. kemudian pergi.", ["kata dia. kemudian pergi."]),  # lowercase next word: no boundary
    ("", []),
    ("   ", []),
    # --- titles and abbreviations that precede names
    ("Dr. Budi datang. Prof. Ani pergi.", ["Dr. Budi datang.", "Prof. Ani pergi."]),
    (
        "Kantornya di Jl. Sudirman No. 5 Jakarta. Dia datang.",
        ["Kantornya di Jl. Sudirman No. 5 Jakarta.", "Dia datang."],
    ),
    ("Bpk. Joko dan Sdr. Ali hadir. Hj. Siti juga.", ["Bpk. Joko dan Sdr. Ali hadir.", "Hj. Siti juga."]),
    ("Tn. Ahmad dan Ny. Rina tiba. Mereka lelah.", ["Tn. Ahmad dan Ny. Rina tiba.", "Mereka lelah."]),
    ("Kol. Sugeng memimpin. Dia tegas.", ["Kol. Sugeng memimpin.", "Dia tegas."]),
    (
        "Letjen. Agus dan Mayjen. Budi bertemu Brigjen. Candra. Jend. Dudung hadir.",
        ["Letjen. Agus dan Mayjen. Budi bertemu Brigjen. Candra.", "Jend. Dudung hadir."],
    ),
    ("Kapt. Eko memimpin pasukan. Laksda. Yudo menyusul.", ["Kapt. Eko memimpin pasukan.", "Laksda. Yudo menyusul."]),
    ("Irjen. Fadil dan Kombes. Hengki tiba.", ["Irjen. Fadil dan Kombes. Hengki tiba."]),
    ("Harganya Rp. 5.000 saja. Murah.", ["Harganya Rp. 5.000 saja.", "Murah."]),
    ("Rapat pada 4 Nov. 2024 berakhir. Semua pulang.", ["Rapat pada 4 Nov. 2024 berakhir.", "Semua pulang."]),
    # --- dotted acronyms
    ("Pejabat A.S. mengatakan itu. Rusia membantah.", ["Pejabat A.S. mengatakan itu.", "Rusia membantah."]),
    ("Presiden A.S. Joe Biden berbicara. Dia marah.", ["Presiden A.S. Joe Biden berbicara.", "Dia marah."]),
    ("Transfer a.n. Budi sudah masuk. Terima kasih.", ["Transfer a.n. Budi sudah masuk.", "Terima kasih."]),
    ("Ani, S.H. hadir. Budi, Ph.D. juga.", ["Ani, S.H. hadir.", "Budi, Ph.D. juga."]),
    # --- list-ending abbreviations end sentences when a capital follows
    ("Ada apel, jeruk, dll. Semua segar.", ["Ada apel, jeruk, dll.", "Semua segar."]),
    ("Ada apel, jeruk, dll. yang segar.", ["Ada apel, jeruk, dll. yang segar."]),
    ("Buku, pena, dsb. Lalu dia pulang.", ["Buku, pena, dsb.", "Lalu dia pulang."]),
    ("Pasukan tsb. Mereka mundur.", ["Pasukan tsb.", "Mereka mundur."]),
    ("Senin, 1, 2, dst. dan seterusnya.", ["Senin, 1, 2, dst. dan seterusnya."]),
    # --- initials
    ("Buku J. K. Rowling laris. Dia kaya.", ["Buku J. K. Rowling laris.", "Dia kaya."]),
    ("Presiden Susilo B. Yudhoyono datang. Rakyat senang.", ["Presiden Susilo B. Yudhoyono datang.", "Rakyat senang."]),
    ("H. Agus Salim adalah diplomat. Dia cerdas.", ["H. Agus Salim adalah diplomat.", "Dia cerdas."]),
    # --- numbers
    ("Sekitar 11.000 pasukan tiba. Mereka lelah.", ["Sekitar 11.000 pasukan tiba.", "Mereka lelah."]),
    ("Inflasi 3,5 persen. Naik 4.5 poin.", ["Inflasi 3,5 persen.", "Naik 4.5 poin."]),
    ("Pukul 10.30 WIB. Rapat dimulai.", ["Pukul 10.30 WIB.", "Rapat dimulai."]),
    ("Harga naik Rp11.000.000. Warga protes.", ["Harga naik Rp11.000.000.", "Warga protes."]),
    # --- quotes
    ("Dia berkata “Saya lelah. Saya pulang.” Lalu pergi.", ["Dia berkata “Saya lelah. Saya pulang.”", "Lalu pergi."]),
    ("“Itu benar. Kami siap,” kata Umerov. Dia tersenyum.", ["“Itu benar. Kami siap,” kata Umerov.", "Dia tersenyum."]),
    ("“Kami siap melakukan itu.” kata Umerov. Dia pergi.", ["“Kami siap melakukan itu.” kata Umerov.", "Dia pergi."]),
    ("“Siapa dia?” tanya Ani. Tidak ada jawaban.", ["“Siapa dia?” tanya Ani.", "Tidak ada jawaban."]),
    ("Ia menyebut “kontak kecil”. Pasukan mundur.", ["Ia menyebut “kontak kecil”.", "Pasukan mundur."]),
    ('Dia berkata "Saya lelah. Saya pulang." Lalu pergi.', ['Dia berkata "Saya lelah. Saya pulang."', "Lalu pergi."]),
    ('"Kami bertahan. Kami menang.', ['"Kami bertahan.', "Kami menang."]),  # straight quote left open
    (
        'dan selesai," kata dia. Lalu pergi. "Tidak. Jangan." Dia diam.',
        ['dan selesai," kata dia.', "Lalu pergi.", '"Tidak. Jangan."', "Dia diam."],
    ),  # stray closer first
    (
        'Layar 15" itu bagus. Dia membelinya. "Murah." Benar.',
        ['Layar 15" itu bagus.', "Dia membelinya.", '"Murah."', "Benar."],
    ),
    ('"Dia datang. "Saya pulang. Selesai.', ['"Dia datang.', '"Saya pulang.', "Selesai."]),  # two openers, no closer
    # an opening quote that never closes in this paragraph does not block boundaries
    (
        "“Kami akan bertahan. Kami tidak takut. Kami menang.",
        ["“Kami akan bertahan.", "Kami tidak takut.", "Kami menang."],
    ),
    ("Dia berkata: “Ya. Tentu.” Lalu: “Tidak.” Selesai.", ["Dia berkata: “Ya. Tentu.”", "Lalu: “Tidak.”", "Selesai."]),
    # --- ellipses
    ("Dia diam… lalu pergi.", ["Dia diam… lalu pergi."]),
    ("Dia diam... lalu pergi.", ["Dia diam... lalu pergi."]),
    ("Dia diam… Lalu pergi.", ["Dia diam…", "Lalu pergi."]),
    ("Dia diam... Lalu pergi.", ["Dia diam...", "Lalu pergi."]),
    (
        "“unit pertama Korea Utara… [telah] sudah diserang di Kursk”. Dalam wawancara itu dia bicara.",
        ["“unit pertama Korea Utara… [telah] sudah diserang di Kursk”.", "Dalam wawancara itu dia bicara."],
    ),
    ("Pasukan tiba… (lihat peta) Lalu mundur.", ["Pasukan tiba… (lihat peta) Lalu mundur."]),
    # --- pieces without letters never stand alone; company suffixes never open a sentence
    ("? Moncong yang panjang. Dia pergi.", ["? Moncong yang panjang.", "Dia pergi."]),
    ("Dia pergi. ” .", ["Dia pergi. ” ."]),
    ("Dia pergi. !!! Lalu datang.", ["Dia pergi. !!!", "Lalu datang."]),
    ("Pinjaman dari Concept Link. Ltd. Lalu lunas.", ["Pinjaman dari Concept Link. Ltd.", "Lalu lunas."]),
    (
        "Saham PT Charoen Pokphand Indonesia Tbk. Naik tajam.",
        ["Saham PT Charoen Pokphand Indonesia Tbk.", "Naik tajam."],
    ),
    # --- brackets
    ("Dia berkata [...] Semua selesai. Kami pulang.", ["Dia berkata [...] Semua selesai.", "Kami pulang."]),
    ("Dia berkata […] Semua selesai.", ["Dia berkata […] Semua selesai."]),
    ("Mereka [pasukan] tiba. Kami [telah] pulang.", ["Mereka [pasukan] tiba.", "Kami [telah] pulang."]),
    ("Buah (apel, jeruk, dll.) Dijual murah.", ["Buah (apel, jeruk, dll.) Dijual murah."]),
    ("Dia datang (lihat foto). Kami senang.", ["Dia datang (lihat foto).", "Kami senang."]),
    ("Dia pergi. (Reuters) Kami tinggal.", ["Dia pergi.", "(Reuters) Kami tinggal."]),
]


@pytest.mark.parametrize(("paragraph", "expected"), CASES, ids=[c[0][:40] or "<empty>" for c in CASES])
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_long_quotes_split_inside() -> None:
    sentence = "Kami akan terus berjuang untuk negara ini dan rakyatnya."
    quote = "“" + " ".join([sentence] * 10) + "” kata dia."
    assert len(split_sentences(quote)) == 10  # 560 chars > default limit: split inside the quote
    assert len(split_sentences(quote, max_quote_chars=1000)) == 1


def test_many_quotes_and_brackets_fast() -> None:
    import time

    paragraph = " ".join(["“Ya.” (a) [b] Dia pergi."] * 3000)
    started = time.perf_counter()
    sentences = split_sentences(paragraph)
    assert time.perf_counter() - started < 2.0  # linear, not quadratic, in the number of pairs
    assert len(sentences) == 3000


def test_custom_abbreviations() -> None:
    text = "Kemenhan. Prabowo hadir."
    assert split_sentences(text) == ["Kemenhan.", "Prabowo hadir."]
    assert split_sentences(text, abbreviations=ABBREVIATIONS | {"Kemenhan."}) == [text]


def test_abbreviation_sets_disjoint() -> None:
    assert not ABBREVIATIONS & SENTENCE_FINAL_ABBREVIATIONS


def test_whitespace_inside_sentence_kept_and_ends_stripped() -> None:
    assert split_sentences("  Satu\u00a0 dua.   Tiga\tempat.  ") == ["Satu\u00a0 dua.", "Tiga\tempat."]


# --- no text lost, for arbitrary paragraphs built from the hard parts
_WORDS = [
    "pasukan",
    "Korea",
    "Utara",
    "dia",
    "Ukraina",
    "11.000",
    "3,5",
    "4.5",
    "A.S.",
    "a.n.",
    "J.",
    "K.",
    "Dr.",
    "Prof.",
    "Jl.",
    "No.",
    "dll.",
    "dsb.",
    "tsb.",
    "Letjen.",
    "Brigjen.",
    "Kol.",
]
_PUNCT = [".", ",", "!", "?", "…", "...", "”", "“", '"', "[", "]", "(", ")", ".”", "”.", "[…]", ":"]
_piece = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_PUNCT),
    st.builds(lambda w, p: w + p, st.sampled_from(_WORDS), st.sampled_from(_PUNCT)),
    st.builds(lambda p, w: p + w, st.sampled_from(["“", "[", "(", '"']), st.sampled_from(_WORDS)),
    st.text(alphabet="abcXYZ.…”“[]()!? ", min_size=1, max_size=6),
)
_gap = st.sampled_from([" ", "  ", "\u00a0", "\t", " \n "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_piece, _gap), min_size=0, max_size=40))
def test_no_text_lost(parts: list[tuple[str, str]]) -> None:
    paragraph = "".join(piece + gap for piece, gap in parts)
    sentences = split_sentences(paragraph)
    assert re.sub(r"\s+", "", "".join(sentences)) == re.sub(r"\s+", "", paragraph)
    assert all(s and s == s.strip() for s in sentences)
    # sentences are ordered, non-overlapping slices of the paragraph
    position = 0
    for sentence in sentences:
        found = paragraph.find(sentence, position)
        assert found >= position
        position = found + len(sentence)
