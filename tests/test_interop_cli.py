"""End to end on the tiny MarianMT model: HTML in, XLIFF out, post-edit, apply, and the human version wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.interop.xliff import MDA_NS, MTC_NS, XLIFF_NS

DATA = Path(__file__).parent / "data"
PAGE = DATA / "news-page.html"
NS = {"x": XLIFF_NS}
HUMAN = "North Korean troops have clashed with Ukrainian forces for the first time, a top Ukrainian official has said."
FIRST = (
    "Pasukan Korea Utara telah bentrok dengan pasukan Ukraina untuk pertama kalinya, pejabat teratas Ukraina "
    "telah ungkapkan."
)


@pytest.fixture
def run(tiny_model_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("IDTRANS_CACHE", str(tmp_path / "cache.sqlite3"))
    monkeypatch.setenv("IDTRANS_TM", str(tmp_path / "tm.sqlite3"))

    def invoke(*args: str, model: bool = True):
        extra = ["--model", str(tiny_model_dir), "--beams", "1", "--no-glossary"] if model else []
        return CliRunner().invoke(app, [*args, *extra])

    return invoke


def _schema() -> etree.XMLSchema:
    driver = (
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{XLIFF_NS}" schemaLocation="xliff_core_2.0.xsd"/>'
        f'<xs:import namespace="{MTC_NS}" schemaLocation="matches.xsd"/>'
        f'<xs:import namespace="{MDA_NS}" schemaLocation="metadata.xsd"/></xs:schema>'
    )
    return etree.XMLSchema(etree.fromstring(driver.encode(), base_url=str(DATA / "xliff" / "driver.xsd")))


def test_post_edited_xliff_wins_over_the_model_on_retranslation(run, tmp_path: Path, example_article: Path) -> None:
    xlf = tmp_path / "page.xlf"
    result = run("translate", str(PAGE), "--format", "xliff", "-o", str(xlf), "--quiet")
    assert result.exit_code == 0, result.output
    tree = etree.parse(str(xlf))
    assert _schema().validate(tree), _schema().error_log
    segment = tree.find(".//x:unit[@id='u1']/x:segment[@id='s1']", NS)
    assert "".join(segment.find("x:source", NS).itertext()) == FIRST
    machine = segment.find("x:target", NS).text
    assert machine != HUMAN
    segment.find("x:target", NS).text = HUMAN
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")

    final = tmp_path / "final.en.txt"
    applied = run("xliff", "apply", str(xlf), "-o", str(final), model=False)
    assert applied.exit_code == 0, applied.output
    assert "1 added" in applied.stderr and "(1 of 8 segments approved)" in applied.stderr
    assert final.read_text(encoding="utf-8").split("\n\n")[1].startswith(HUMAN + " ")

    again = run("translate", str(PAGE), "--format", "jsonl")
    assert again.exit_code == 0, again.output
    records = [json.loads(line) for line in again.stdout.splitlines()]
    first = next(r for r in records if r["source"] == FIRST)
    assert first["translation"] == HUMAN and first["tm"]["origin"] == "xliff:page.xlf"
    assert all(r["translation"] != HUMAN for r in records if r["source"] != FIRST)
    assert "translation memory: 1 approved translation(s) used" in again.stderr
    # the same sentence in another article (the bundled .txt sample) gets it too
    sample = run("translate", str(example_article), "--quiet")
    assert HUMAN in sample.stdout
    ignored = run("translate", str(PAGE), "--no-tm", "--quiet")
    assert HUMAN not in ignored.stdout


def test_fuzzy_matches_are_offered_not_applied(run, tmp_path: Path) -> None:
    near = "Pejabat AS memberitahu kantor berita Reuters bahwa pasukan Korea Utara terlibat dalam pertempuran di Kursk."
    added = run(
        "tm", "add", "-s", near, "-t", "US officials told Reuters North Korean troops fought in Kursk.", model=False
    )
    assert added.exit_code == 0, added.output
    result = run("translate", str(PAGE), "--format", "jsonl", "--quiet")
    records = {json.loads(line)["source"]: json.loads(line) for line in result.stdout.splitlines()}
    offered = [r for r in records.values() if "tm_suggestions" in r]
    assert len(offered) == 1 and offered[0]["source"].startswith("Pejabat AS")
    assert offered[0]["tm_suggestions"][0]["target"] == "US officials told Reuters North Korean troops fought in Kursk."
    assert offered[0]["translation"] != offered[0]["tm_suggestions"][0]["target"]
    xlf = run("translate", str(PAGE), "--format", "xliff", "--quiet")
    assert 'type="tm"' in xlf.stdout and "<mtc:matches>" in xlf.stdout


def test_tm_commands_and_tmx_round_trip(run, tmp_path: Path) -> None:
    for i in range(3):
        assert run("tm", "add", "-s", f"Kalimat {i}.", "-t", f"Sentence {i}.", model=False).exit_code == 0
    stats = run("tm", "stats", model=False)
    assert "entries: 3" in stats.stdout and "id->en" in stats.stdout
    tmx = tmp_path / "out.tmx"
    assert run("tm", "export", str(tmx), model=False).exit_code == 0
    other = tmp_path / "other.sqlite3"
    imported = run("tm", "import", str(tmx), "--tm", str(other), model=False)
    assert "3 added, 0 updated, 0 unchanged" in imported.stdout
    listed = run("tm", "list", "--tm", str(other), "--search", "kalimat 1", model=False)
    assert "Kalimat 1.\n  => Sentence 1." in listed.stdout
    assert run("tm", "remove", "Kalimat 1.", "--tm", str(other), model=False).exit_code == 0
    missing = run("tm", "remove", "Kalimat 1.", "--tm", str(other), model=False)
    assert missing.exit_code == 1 and "no approved translation" in missing.stderr


def test_html_output_and_directory_of_pages(run, tmp_path: Path) -> None:
    result = run("translate", str(PAGE), "--format", "html", "--quiet", "--no-cache")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and '<html lang="en">' in result.stdout
    assert result.stdout.count("<h1>") == 1 and result.stdout.count("<h2>") == 1 and result.stdout.count("<p>") == 5
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_bytes(PAGE.read_bytes())
    out = tmp_path / "out"
    directory = run("translate", str(pages), "-o", str(out), "--format", "xliff", "--quiet")
    assert directory.exit_code == 0, directory.output
    assert (out / "a.xlf").is_file() and _schema().validate(etree.parse(str(out / "a.xlf")))
