"""Copied names: capitalised spans that Indonesian and English write the same way."""

from __future__ import annotations

import pytest

from idtrans.glossary.names import NameFact, find_names


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("Pemimpin Ukraina Volodymyr Zelensky, yang sebelumnya mengutuk.", ["Volodymyr Zelensky"]),
        ("Pejabat AS memberitahu kantor berita Reuters tentang Kursk.", ["Reuters", "Kursk"]),
        ("Presiden Joko Widodo bertemu di Jakarta.", ["Joko Widodo", "Jakarta"]),
        ("Menteri Pertahanan Pasukan Kementerian Pemerintah", []),  # common words news capitalises
        ("Namun, Moskow dan Pyongyang belum merespons.", ["Pyongyang"]),  # an exonym: the glossary decides
        ("Mereka tiba di Mesir dan Filipina.", []),  # country exonyms (iso-codes)
        ("Lima orang tewas di Lima.", []),  # a dictionary word: never required
        ("Ya, kata Di Jawa dan Jenewa.", []),  # stop words, short words, place exonyms
        ("Wartawan Pemprov DKI", []),
        ("Pasukan AS dan PBB tiba.", []),  # acronyms are the glossary's business
        ("Kantor Kursk-nya diserang.", ["Kursk"]),  # a hyphenated clitic is not part of the name
        ("Pada hari Senin bulan Juni", []),  # days and months are number facts
        ("Pejabat Kebanyakan Pertempuran", []),  # derived Indonesian words (Sastrawi stems)
        ("Google dan Microsoft bertemu, kata Elon Musk.", ["Google", "Microsoft", "Elon Musk"]),
    ],
)
def test_names_found(source, names):
    found = find_names(source)
    assert [n.surface for n in found] == names
    for name in found:
        assert source[name.start : name.end] == name.surface


def test_taken_spans_are_skipped():
    source = "Volodymyr Zelensky bertemu Joko Widodo"
    assert [n.surface for n in find_names(source, [(0, 18)])] == ["Joko Widodo"]


@pytest.mark.parametrize(
    ("english", "kept"),
    [
        ("Volodymyr Zelensky said", True),
        ("Volodymyr Zelensky's aide", True),
        ("Volodyyr Zelensky said", False),
        ("volodymyr zelensky", False),
        ("Volodymyr  Zelensky", True),
        ("Volodymyr Zelenskyy", False),
    ],
)
def test_a_name_is_kept_only_when_copied_exactly(english, kept):
    assert NameFact(0, 18, "Volodymyr Zelensky").found_in(english) is kept
