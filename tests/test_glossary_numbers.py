"""Numbers, money, percentages, dates and times: one table row per pattern, the traps included."""

from __future__ import annotations

import pytest

from idtrans.glossary.numbers import english_number, english_values, find_numbers, ordinal

CASES = [
    # (source, [(kind, surface, rendering)], spelling)
    ("sekitar 11.000 pasukan", [("number", "11.000", "11,000")], "british"),
    ("naik 3,5 persen", [("percent", "3,5 persen", "3.5 per cent")], "british"),
    ("naik 3,5 persen", [("percent", "3,5 persen", "3.5 percent")], "american"),
    ("naik 50%", [("percent", "50%", "50%")], "british"),
    ("anggaran Rp 229,68 triliun", [("money", "Rp 229,68 triliun", "Rp 229.68 trillion")], "british"),
    ("senilai US$ 4,6 miliar", [("money", "US$ 4,6 miliar", "US$4.6 billion")], "british"),
    ("harga Rp 15.870", [("money", "Rp 15.870", "Rp 15,870")], "british"),
    ("Rp 10 ribu", [("money", "Rp 10 ribu", "Rp 10 thousand")], "british"),
    ("5 juta orang", [("number", "5 juta", "5 million")], "british"),
    ("1,2 milyar dolar", [("number", "1,2 milyar", "1.2 billion")], "british"),
    ("1.250 warga", [("number", "1.250", "1,250")], "british"),
    ("1.250.000,75 rupiah", [("number", "1.250.000,75", "1,250,000.75")], "british"),
    ("pada 4 November 2024", [("date", "4 November 2024", "4 November 2024")], "british"),
    ("pada bulan Mei 2023", [("month", "Mei 2023", "May 2023")], "british"),
    ("pada bulan Juni", [("month", "Juni", "June")], "british"),
    ("Jakarta, Senin (12/2)", [("day", "Senin", "Monday"), ("date", "(12/2)", "(12 February)")], "british"),
    ("Kamis (3/10/2024)", [("day", "Kamis", "Thursday"), ("date", "(3/10/2024)", "(3 October 2024)")], "british"),
    ("pukul 10.30 WIB", [("time", "10.30 WIB", "10:30 WIB")], "british"),
    ("sekitar pukul 07.15", [("time", "07.15", "07:15")], "british"),
    ("menang 2-1 atas", [("range", "2-1", "2-1")], "british"),
    ("antara 10-15 persen", [("range", "10-15 persen", "10-15 per cent")], "british"),
    ("1.000-2.000 orang", [("range", "1.000-2.000", "1,000-2,000")], "british"),
    ("suhu -5 derajat", [("number", "-5", "-5")], "british"),
    ("yang ke-3 kalinya", [("ordinal", "ke-3", "3rd")], "british"),
    ("abad ke-21", [("ordinal", "ke-21", "21st")], "british"),
    ("lima unit tentara", [("word", "lima", "five")], "british"),
    ("Lima orang tewas.", [("word", "Lima", "five")], "british"),
    ("tiba di Lima, Peru", [], "british"),
    ("dua puluh lima orang", [("word", "dua puluh lima", "twenty-five")], "british"),
    ("dua belas kapal", [("word", "dua belas", "twelve")], "british"),
    ("pada hari Minggu", [("day", "Minggu", "Sunday")], "british"),
    ("Minggu lalu ia datang", [], "british"),
    ("dalam dua minggu terakhir", [("word", "dua", "two")], "british"),
    ("pada tahun 2024", [("number", "2024", "2024")], "british"),
    ("versi 1.5 dirilis", [("number", "1.5", "1.5")], "british"),
    ("kedua belah pihak", [], "british"),
]


@pytest.mark.parametrize(("source", "expected", "spelling"), CASES)
def test_each_pattern_is_found_and_rendered(source, expected, spelling):
    facts = find_numbers(source, spelling)
    assert [(f.kind, f.surface, f.rendering) for f in facts] == expected
    for fact in facts:
        assert source[fact.start : fact.end] == fact.surface
        assert fact.found_in(f"x {fact.rendering} y"), fact  # the rendering itself always counts as kept


@pytest.mark.parametrize(
    ("source", "english", "kept"),
    [
        ("sekitar 11.000 pasukan", "about 11,000 troops", True),
        ("sekitar 11.000 pasukan", "about 11000 troops", True),
        ("sekitar 11.000 pasukan", "about 11.000 troops", False),
        ("sekitar 11.000 pasukan", "about 111,000 troops", False),
        ("1.250 warga", "1.250 residents", False),
        ("pukul 10.30 WIB", "at 1030 WIB", False),
        ("pukul 10.30 WIB", "at 10.30 WIB", True),
        ("Senin (12/2)", "Monday (122)", False),
        ("Senin (12/2)", "on Monday (12 February)", True),
        ("pada 4 November 2024", "in November 2024", False),
        ("pada 4 November 2024", "on November 4, 2024", False),  # British house style: day first
        ("naik 3,5 persen", "up 3.5%", True),
        ("naik 3,5 persen", "up 3,5 percent", False),
        ("Rp 229,68 triliun", "229.68 trillion rupiah", True),
        ("Rp 229,68 triliun", "Rp229,68 trillion", False),
        ("lima unit", "5 units", True),
        ("lima unit", "five units", True),
        ("yang ke-3", "the third", True),
        ("menang 2-1", "won 2–1", True),
    ],
)
def test_what_counts_as_kept(source, english, kept):
    (fact,) = [f for f in find_numbers(source) if f.kind != "day"]
    assert fact.found_in(english) is kept


@pytest.mark.parametrize(
    ("surface", "english"),
    [
        ("11.000", "11,000"),
        ("3,5", "3.5"),
        ("1.250.000,75", "1,250,000.75"),
        ("2024", "2024"),
        ("-5", "-5"),
        ("1.5", "1.5"),
    ],
)
def test_english_number(surface, english):
    assert english_number(surface) == english


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (102, "102nd"),
    ],
)
def test_ordinal(n, text):
    assert ordinal(n) == text


def test_english_values_read_english_conventions_only():
    values = english_values("About 11,000 troops at 10:30 on 4 November, up 3.5 per cent; five units; 11.000 no")
    assert values["11000"] == 1 and values["10:30"] == 1 and values["3.5"] == 1 and values["5"] == 1
    assert values["4"] == 1 and "11.000" not in values and values["11"] == 1
    assert english_values("an eight-year-old")["8"] == 1 and english_values("twenty-five")["25"] == 1
