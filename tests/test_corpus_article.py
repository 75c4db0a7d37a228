"""Article structure (idtrans.corpus.article) and the `idtrans segment` command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.corpus.article import TITLE_MAX_CHARS, Article, Paragraph, parse_article
from idtrans.corpus.boilerplate import BoilerplateRules, RemovedLine, Rule
from idtrans.corpus.reader import read_text
from idtrans.errors import InputError

SAMPLE_TITLE = "Ukraina mengatakan telah bertempur melawan pasukan Korea Utara untuk pertama kalinya."


@pytest.fixture(scope="module")
def sample_text(example_article: Path) -> str:
    return read_text(example_article)


@pytest.fixture(scope="module")
def sample(sample_text: str) -> Article:
    return parse_article(sample_text, source="kursk.txt")


def test_sample_structure(sample: Article) -> None:
    assert sample.title == SAMPLE_TITLE
    assert sample.title_line_no == 1
    assert len(sample.paragraphs) == 1
    assert sample.paragraphs[0].line_no == 3
    assert sample.source == "kursk.txt"


def test_sample_boilerplate_removed(sample: Article) -> None:
    assert [(r.line_no, r.rule) for r in sample.removed] == [(5, "related-link"), (7, "comment-prompt")]
    assert sample.removed[0].text.startswith("MEMBACA")
    assert sample.removed[0].text.endswith("| Berita Konflik Israel-Palestina")
    assert sample.removed[1].text == "Tinggalkan komentar"
    body = " ".join(s for _, _, _, s in sample.units())
    assert "MEMBACA" not in body and "Tinggalkan komentar" not in body


def test_sample_keep_boilerplate(sample_text: str) -> None:
    article = parse_article(sample_text, keep_boilerplate=True)
    assert article.removed == []
    assert article.title == SAMPLE_TITLE
    assert len(article.paragraphs) == 3
    assert article.paragraphs[1].sentences[0].startswith("MEMBACA Israel menyerang")
    assert article.paragraphs[2].sentences == ["Tinggalkan komentar"]
    assert [p.line_no for p in article.paragraphs] == [3, 5, 7]


def test_sample_sentences(sample: Article) -> None:
    sentences = sample.paragraphs[0].sentences
    assert len(sentences) == 21
    assert sentences[0] == (
        "Pasukan Korea Utara telah bentrok dengan pasukan Ukraina untuk pertama kalinya, pejabat teratas "
        "Ukraina telah ungkapkan."
    )
    assert sentences[8] == (
        "Pejabat Ukraina Andriy Kovalenko yang bertugas melawan disinformasi pertama kali mengatakan dalam sebuah pos "
        "Telegram pada hari Senin bahwa “unit militer pertama Korea Utara… [telah] sudah diserang di Kursk”."
    )
    assert sentences[5] == (
        "Ukraina mengatakan sekitar 11.000 pasukan Korea Utara berada di wilayah perbatasan Kursk, di mana "
        "pasukan Ukraina memiliki pijakan."
    )
    assert sentences[11] == (
        "“Mereka mengenakan seragam Rusia, mereka menjalani pelatihan taktis, dan mereka dikerahkan di bawah berbagai "
        "komando tentara Rusia di garis depan,” kata Umerov."
    )
    # a quote spanning two sentences stays one unit, closing quote included
    assert sentences[14].startswith("Dalam sebuah video harian pada hari Rabu, Zelensky meminta Ukraina “bersama-sama")
    assert sentences[14].endswith("gagal. Baik bagi mereka, maupun untuk Korea Utara.”")
    assert sentences[15].startswith("Laporan tentang langkah tersebut")
    assert sentences[-1].endswith("dalam hal “agresi” terhadap salah satu negara.")


def test_sample_no_text_lost(sample: Article, sample_text: str) -> None:
    removed = "".join(r.text for r in sample.removed)
    kept = "".join(s for _, _, _, s in sample.units())
    squash = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    assert sorted(squash(kept + removed)) == sorted(squash(sample_text))
    assert squash(kept + removed) == squash(sample_text)


def test_units(sample: Article) -> None:
    units = sample.units()
    assert units[0] == ("title", -1, 0, SAMPLE_TITLE)
    assert units[1][:3] == ("body", 0, 0)
    assert units[-1][:3] == ("body", 0, 20)
    assert sample.sentence_count == len(units) == 22


def test_to_dict_is_json(sample: Article) -> None:
    data = json.loads(json.dumps(sample.to_dict()))
    assert data["title"] == SAMPLE_TITLE
    assert data["removed"][1] == {"line_no": 7, "text": "Tinggalkan komentar", "rule": "comment-prompt"}
    assert len(data["paragraphs"][0]["sentences"]) == 21


TITLE_CASES = [
    # (text, expected title, expected paragraph texts)
    ("Judul berita\n\nIsi pertama. Isi kedua.", "Judul berita", ["Isi pertama. Isi kedua."]),
    ("# Judul berita\n\nIsi.", "Judul berita", ["Isi."]),
    ("# Judul berita #\nIsi langsung di bawah.", "Judul berita", ["Isi langsung di bawah."]),
    ("## Sub\n\nIsi.\n\n## Bagian dua\nLagi.", "Sub", ["Isi.", "Bagian dua", "Lagi."]),
    ("Hanya satu baris.", None, ["Hanya satu baris."]),  # nothing follows: not a title
    ("Baris satu\nbaris dua\n\nIsi.", None, ["Baris satu baris dua", "Isi."]),  # two-line block: not a title
    ("Satu. Dua. Tiga.\n\nIsi.", None, ["Satu. Dua. Tiga.", "Isi."]),  # three sentences: not a title
    ("Satu. Dua.\n\nIsi.", "Satu. Dua.", ["Isi."]),
    ("x" * (TITLE_MAX_CHARS + 1) + "\n\nIsi.", None, ["x" * (TITLE_MAX_CHARS + 1), "Isi."]),
    ("x" * TITLE_MAX_CHARS + "\n\nIsi.", "x" * TITLE_MAX_CHARS, ["Isi."]),
    ("\n\n  Judul  \n\n\n\nA\u00a0 b\n  c\td.\n\n", "Judul", ["A b c d."]),
    ("Advertisement\nJudul\n\nIsi.", "Judul", ["Isi."]),  # boilerplate removed before the title rule
    ("#Tagar bukan judul\n\nIsi.", "#Tagar bukan judul", ["Isi."]),  # a hashtag is text, not a heading marker
]


@pytest.mark.parametrize(("text", "title", "paragraphs"), TITLE_CASES, ids=[c[0][:30] for c in TITLE_CASES])
def test_title_and_paragraph_rules(text: str, title: str | None, paragraphs: list[str]) -> None:
    article = parse_article(text)
    assert article.title == title
    assert [p.text for p in article.paragraphs] == paragraphs


def test_line_numbers_and_boilerplate_inside_paragraph() -> None:
    text = "Judul\n\nKalimat satu.\nBaca juga: Berita lain\nKalimat dua.\n\n\nParagraf dua.\nIklan"
    article = parse_article(text)
    assert [p.line_no for p in article.paragraphs] == [3, 8]
    assert article.paragraphs[0].sentences == ["Kalimat satu.", "Kalimat dua."]  # removal does not split it
    assert article.removed == [
        RemovedLine(4, "Baca juga: Berita lain", "related-link"),
        RemovedLine(9, "Iklan", "advertisement"),
    ]


def test_crlf_bom_nfd_text() -> None:
    article = parse_article("\ufeffJudul Cafe\u0301\r\n\r\nIsi.\r\n")
    assert article.title == "Judul Café"
    assert article.paragraphs == [Paragraph(["Isi."], 3)]


def test_custom_rules() -> None:
    text = "Judul\n\nIsi.\n\nPromo hari ini saja\n\nTinggalkan komentar"
    rules = BoilerplateRules.default().extend([Rule("promo", r"Promo .{1,40}")])
    article = parse_article(text, rules=rules)
    assert [r.rule for r in article.removed] == ["promo", "comment-prompt"]
    assert len(parse_article(text, rules=[]).paragraphs) == 3


@pytest.mark.parametrize("text", ["", "   \n\n \t\n", "\ufeff"])
def test_empty_input(text: str) -> None:
    with pytest.raises(InputError, match="no text") as caught:
        parse_article(text, source="empty.txt")
    assert caught.value.where == "empty.txt"


def test_only_boilerplate() -> None:
    with pytest.raises(InputError, match="after removing 2 boilerplate") as caught:
        parse_article("Iklan\n\nTinggalkan komentar", source="junk.txt")
    assert "--keep-boilerplate" in caught.value.hint
    assert len(parse_article("Iklan\n\nTinggalkan komentar", keep_boilerplate=True).paragraphs) == 1


_LINES = [
    "Pasukan Korea Utara tiba di Kursk.",
    "Dr. Ani berkata “Kami siap. Kami datang.” Lalu pergi.",
    "MEMBACA  Israel menyerang Lebanon",
    "Tinggalkan komentar",
    "Iklan",
    "Baca juga: Berita lain",
    "# Judul bagian",
    "Sekitar 11.000 tentara… [telah] tiba",
    "Facebook Twitter",
    "Membaca buku itu penting.",
    "",
    "",
    "  ",
    "\u00a0",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=25), st.booleans())
def test_parse_never_loses_text(lines: list[str], keep: bool) -> None:
    text = "\n".join(lines)
    try:
        article = parse_article(text, keep_boilerplate=keep)
    except InputError:
        assert not text.strip() or not keep  # only empty text, or text that is all boilerplate
        return
    squash = lambda value: re.sub(r"[\s#]+", "", value)  # noqa: E731  (heading marks are markup)
    gone = {r.line_no for r in article.removed}
    assert all(squash(lines[r.line_no - 1]) == squash(r.text) for r in article.removed)
    kept_lines = "".join(line for number, line in enumerate(lines, start=1) if number not in gone)
    # what is kept is every other line, in order, with nothing added or dropped
    assert squash("".join(s for _, _, _, s in article.units())) == squash(kept_lines)


# --- the `idtrans segment` command
runner = CliRunner()


def test_cli_segment_outline(example_article: Path) -> None:
    result = runner.invoke(app, ["segment", str(example_article)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"title (line 1): {SAMPLE_TITLE}" in out
    assert "paragraph 1 (line 3, 21 sentences)" in out
    assert "  21. Perjanjian itu berjanji" in out
    assert "line 5 [related-link]: MEMBACA" in out
    assert "line 7 [comment-prompt]: Tinggalkan komentar" in out


def test_cli_segment_json_and_keep(example_article: Path) -> None:
    result = runner.invoke(app, ["segment", str(example_article), "--json", "--keep-boilerplate"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["removed"] == [] and len(data["paragraphs"]) == 3


def test_cli_segment_stdin() -> None:
    result = runner.invoke(app, ["segment", "-", "--json"], input="Judul\n\nDr. Ani datang. Dia pergi.\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["source"] == "<stdin>"
    assert data["paragraphs"][0]["sentences"] == ["Dr. Ani datang.", "Dia pergi."]


def test_cli_segment_binary_file(tmp_path: Path) -> None:
    bad = tmp_path / "foto.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = runner.invoke(app, ["segment", str(bad)])
    assert result.exit_code == 1
    assert f"error: {bad}: is not a text file" in result.output
    assert "hint:" in result.output
    assert "Traceback" not in result.output
