"""Saved web pages as articles: trafilatura extraction + idtrans's boilerplate rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.corpus.html import decode_html, load_article, looks_like_html, parse_html_article
from idtrans.errors import InputError

PAGE = Path(__file__).parent / "data" / "news-page.html"

TITLE = "Ukraina bertempur melawan pasukan Korea Utara untuk pertama kalinya"
BODY = [
    (
        "paragraph",
        "Pasukan Korea Utara telah bentrok dengan pasukan Ukraina untuk pertama kalinya, pejabat teratas "
        "Ukraina telah ungkapkan. Dalam wawancara dengan penyiar Korea Selatan KBS, Menteri Pertahanan "
        "Ukraina Rustem Umerov mengatakan “kelompok kecil” pasukan Korea Utara diserang.",
    ),
    (
        "paragraph",
        "Pejabat AS memberitahu kantor berita Reuters bahwa pasukan Korea Utara terlibat dalam pertempuran "
        "di wilayah Kursk Rusia pada 4 November.",
    ),
    ("heading", "Ribuan tentara di perbatasan"),
    (
        "paragraph",
        "Ukraina mengatakan sekitar 11.000 pasukan Korea Utara berada di wilayah perbatasan Kursk, di mana "
        "pasukan Ukraina memiliki pijakan.",
    ),
    ("paragraph", "Namun, Moskow dan Pyongyang sampai saat ini belum merespons langsung terhadap tuduhan itu."),
    (
        "paragraph",
        "Perjanjian itu berjanji bahwa Rusia dan Korea Utara akan saling membantu dalam hal “agresi” "
        "terhadap salah satu negara.",
    ),
]


def test_news_page_becomes_exactly_the_articles_paragraphs() -> None:
    article = load_article(PAGE)
    assert article.title == TITLE
    assert [("heading" if p.heading else "paragraph", p.text) for p in article.paragraphs] == BODY
    assert article.sentence_count == 8


def test_what_was_removed_is_reported_with_html_lines() -> None:
    article = load_article(PAGE)
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    assert [(r.rule, r.text.split(":")[0]) for r in article.removed] == [
        ("related-link", "BACA JUGA"),
        ("related-link", "Simak juga"),
    ]
    for removed in article.removed:  # the HTML line really holds the removed text
        assert removed.text.split(":")[1].strip()[:20] in lines[removed.line_no - 1]
    assert article.title_line_no is not None and TITLE in lines[article.title_line_no - 1]
    dropped = " | ".join(r.text for r in article.dropped)
    for boilerplate in (
        "Beranda",
        "Berita Terkait",
        "Semoga perang cepat selesai",
        "Kirim komentar",
        "Harga emas",
        "Hak cipta dilindungi",
        "Berlangganan newsletter",
        "Advertisement",
        "Tags: Ukraina",
        "Oleh Redaksi",
    ):
        assert boilerplate in dropped
    everything = " ".join(p.text for p in article.paragraphs) + (article.title or "")
    for leak in ("Iklan", "gtag", "loadAd", "Cari berita", "Bagikan", "Facebook", "©"):
        assert leak not in everything


def test_keep_boilerplate_keeps_the_related_link_lines() -> None:
    article = load_article(PAGE, keep_boilerplate=True)
    texts = [p.text for p in article.paragraphs]
    assert any(t.startswith("BACA JUGA:") for t in texts) and any(t.startswith("Simak juga:") for t in texts)
    assert article.removed == []


def test_html_is_recognised_by_content_and_declared_charset(tmp_path: Path) -> None:
    page = PAGE.read_text(encoding="utf-8").replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    page = page.replace("“kelompok kecil”", "“kelompok kecil” – café")
    saved = tmp_path / "page.txt"  # wrong suffix: sniffed from the content
    saved.write_bytes(page.encode("cp1252"))
    assert looks_like_html(saved.read_bytes())
    article = load_article(saved)
    assert "“kelompok kecil” – café" in article.paragraphs[0].text


def test_undecodable_and_empty_pages_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not valid UTF-8"):
        decode_html(b"<html><body>caf\xe9</body></html>", where="x.html")
    empty = tmp_path / "empty.html"
    empty.write_text(
        "<!DOCTYPE html><html><head><title></title></head><body><nav><a href='/'>Beranda</a></nav></body></html>"
    )
    with pytest.raises(InputError, match="no article text"):
        load_article(empty)


def test_a_page_without_title_metadata_keeps_its_first_heading_as_title() -> None:
    html = (
        "<html><body><article><h1>Judul berita hari ini</h1><p>"
        + "Kalimat pertama berita ini cukup panjang. " * 6
        + "</p><p>"
        + "Kalimat kedua berita ini juga cukup panjang. " * 6
        + "</p></article></body></html>"
    )
    article = parse_html_article(html, source="t.html")
    assert article.title == "Judul berita hari ini"
    assert len(article.paragraphs) == 2 and not any(p.heading for p in article.paragraphs)


def test_segment_shows_kept_and_dropped_blocks() -> None:
    result = CliRunner().invoke(app, ["segment", str(PAGE)])
    assert result.exit_code == 0, result.output
    assert "heading 3 (line 43" in result.stdout
    assert "[related-link]: BACA JUGA" in result.stdout
    assert "left out by the HTML extractor" in result.stdout and "Semoga perang cepat selesai" in result.stdout
    as_json = CliRunner().invoke(app, ["segment", str(PAGE), "--json"])
    assert '"heading": true' in as_json.stdout and '"dropped"' in as_json.stdout
