"""Reading and cleaning line-aligned parallel text (idtrans.corpus.parallel)."""

from __future__ import annotations

import pytest

from idtrans.corpus.parallel import (
    CleaningOptions,
    clean_pairs,
    clean_segment,
    contamination_key,
    load_eval_keys,
    read_parallel,
    repair_encoding,
)
from idtrans.errors import InputError


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("a sharp correction in Wedenesday?s trading", "a sharp correction in Wednesday's trading"),
        ("the ministry?s data", "the ministry's data"),
        ("we don?t know", "we don't know"),
        (
            "they?ll come, we?re sure, you?ve seen, I?m here, she?d go",
            "they'll come, we're sure, you've seen, I'm here, she'd go",
        ),
        ("Is it true? she asked.", "Is it true? she asked."),  # a real question mark followed by a space
        ("What?", "What?"),
        ("investors? net buying", "investors? net buying"),  # ambiguous: left alone
        ("Apa kabar?", "Apa kabar?"),
        ("Wedenesday evening", "Wednesday evening"),
    ],
)
def test_repair_encoding(damaged: str, repaired: str) -> None:
    assert repair_encoding(damaged) == repaired


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  dua\tkata  ", "dua kata"),
        ("nol\u00a0lebar\u200b", "nol lebar"),
        ("kontrol\x07 karakter\x1b", "kontrol karakter"),
        ("cafe\u0301", "caf\u00e9"),  # NFC
        ("\ufeffBOM di depan", "BOM di depan"),
    ],
)
def test_clean_segment(raw: str, clean: str) -> None:
    assert clean_segment(raw) == clean


def test_contamination_key_ignores_case_punctuation_and_spaces() -> None:
    assert contamination_key("“Saat ini,” katanya.") == contamination_key("saat ini katanya")
    assert contamination_key("Saat ini") != contamination_key("Saat itu")


def test_clean_pairs_reports_each_step() -> None:
    source = [
        "Rupiah menguat pada hari Rabu.",  # kept (repaired target)
        "Rupiah menguat pada hari Rabu.",  # duplicate after repair/normalise
        "",  # empty source
        "kata " * 200,  # too long (and its trailing space normalised)
        "Ya.",  # ratio: 3 chars vs a long target
        "Presiden berkunjung ke Jakarta.",  # contaminated (source in eval set)
        "Harga minyak turun tajam.",  # contaminated (target in eval set)
        "Menteri  berbicara\tkepada wartawan.",  # kept, whitespace normalised
    ]
    target = [
        "The rupiah strengthened on Wedenesday?s trading.",
        "The rupiah strengthened on  Wednesday's trading.",
        "Nothing",
        "word " * 200,
        "Yes, that is absolutely and completely the case.",
        "The president visited Jakarta.",
        "Oil prices fell sharply!",
        "The minister spoke to reporters.",
    ]
    eval_keys = ({contamination_key("presiden berkunjung ke Jakarta")}, {contamination_key("oil prices fell sharply.")})
    kept_s, kept_t, report = clean_pairs(source, target, CleaningOptions(max_words=150), eval_keys)
    assert kept_s == ["Rupiah menguat pada hari Rabu.", "Menteri berbicara kepada wartawan."]
    assert kept_t == ["The rupiah strengthened on Wednesday's trading.", "The minister spoke to reporters."]
    assert report.input_pairs == 8 and report.output_pairs == 2
    assert report.steps == {
        "normalise": 3,
        "repair": 1,
        "empty": 1,
        "length": 1,
        "ratio": 1,
        "dedup": 1,
        "contamination": 2,
    }
    assert any("removed 2" in line and "contamination" in line for line in report.lines())


def test_short_pairs_are_not_ratio_filtered() -> None:
    kept, _, report = clean_pairs(["Ya"], ["Yes, sir"], CleaningOptions())
    assert kept == ["Ya"] and report.steps["ratio"] == 0


def test_read_parallel_and_eval_keys(tmp_path) -> None:
    (tmp_path / "a.id").write_bytes("\ufeffsatu\ndua\n".encode())
    (tmp_path / "a.en").write_text("one\ntwo\n", encoding="utf-8")
    corpus = read_parallel(tmp_path / "a")
    assert corpus.source == ["satu", "dua"] and corpus.target == ["one", "two"]
    assert read_parallel(tmp_path / "a.id").source == corpus.source
    src_keys, tgt_keys = load_eval_keys([tmp_path / "a"])
    assert src_keys == {"satu", "dua"} and tgt_keys == {"one", "two"}


def test_read_parallel_errors(tmp_path) -> None:
    (tmp_path / "m.id").write_text("satu\ndua\n", encoding="utf-8")
    (tmp_path / "m.en").write_text("one\n", encoding="utf-8")
    with pytest.raises(InputError, match="2 lines but m.en has 1"):
        read_parallel(tmp_path / "m")
    (tmp_path / "b.id").write_bytes(b"ok\n\xff\xfe bad\n")
    (tmp_path / "b.en").write_text("ok\nbad\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_parallel(tmp_path / "b")
    assert info.value.where.endswith("b.id:2")
    with pytest.raises(InputError, match="not found"):
        read_parallel(tmp_path / "missing")


def test_read_parallel_names_the_line_of_a_nul_byte(tmp_path) -> None:
    (tmp_path / "n.id").write_bytes(b"ok\nnul\x00here\n")
    (tmp_path / "n.en").write_text("ok\nnul\n", encoding="utf-8")
    with pytest.raises(InputError, match="NUL byte") as info:
        read_parallel(tmp_path / "n")
    assert info.value.where is not None and info.value.where.endswith("n.id:2")
