"""XLIFF 2.1 output (validated against the official OASIS schemas) and the ``xliff apply`` round trip."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from lxml import etree

from idtrans.corpus.html import load_article
from idtrans.errors import InputError
from idtrans.interop.html_out import html_document, render_html
from idtrans.interop.xliff import MDA_NS, MTC_NS, XLIFF_NS, read_xliff, render_xliff
from idtrans.pipeline.layers.translator import Translation
from idtrans.pipeline.output.assemble import translate_article

DATA = Path(__file__).parent / "data"
PAGE = DATA / "news-page.html"
NS = {"x": XLIFF_NS, "mtc": MTC_NS, "mda": MDA_NS}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{XLIFF_NS}" schemaLocation="xliff_core_2.0.xsd"/>'
        f'<xs:import namespace="{MTC_NS}" schemaLocation="matches.xsd"/>'
        f'<xs:import namespace="{MDA_NS}" schemaLocation="metadata.xsd"/>'
        "</xs:schema>"
    )
    return etree.XMLSchema(etree.fromstring(driver.encode(), base_url=str(DATA / "xliff" / "driver.xsd")))


class Scripted:
    """A translator that upper-cases and attaches the info a real stack would (glossary, retries, memory)."""

    identity = "scripted"

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        out = []
        for s in sentences:
            info: dict = {}
            if "Korea Utara" in s:
                info["glossary"] = [
                    {"entry": "north-korea", "source_form": "Korea Utara", "target": "North Korea", "status": "applied"}
                ]
            if "KBS" in s:
                info["glossary"].append({"entry": "kbs", "source_form": "KBS", "target": "KBS", "status": "missed"})
            if s.startswith("Namun"):
                info["retried"] = True
            if s.startswith("Pejabat AS"):
                info["tm_suggestions"] = [
                    {
                        "source": "Pejabat AS memberitahu Reuters.",
                        "target": "US officials told Reuters.",
                        "similarity": 81.25,
                        "origin": "xliff:old.xlf",
                    }
                ]
            if s.startswith("Perjanjian"):
                info["tm"] = {"match": "exact", "origin": "xliff:old.xlf", "changed": "2024-11-05T10:00:00Z"}
                out.append(Translation(s, "The treaty pledges mutual help against “aggression”.", 0.0, info))
                continue
            out.append(Translation(s, s.upper() + " <&>", 0.1, info))
        return out


@pytest.fixture(scope="module")
def result():
    return translate_article(load_article(PAGE), Scripted())


def test_xliff_validates_against_the_xliff_21_schemas(result, schema) -> None:
    document = etree.fromstring(render_xliff(result).encode("utf-8"))
    assert schema.validate(document), schema.error_log
    assert document.get("version") == "2.1" and document.get("srcLang") == "id" and document.get("trgLang") == "en"
    # the schema is really checked: a wrong state or a missing required attribute fails
    broken = etree.fromstring(render_xliff(result).encode("utf-8"))
    broken.find(".//x:segment", NS).set("state", "approved")
    assert not schema.validate(broken)


def test_units_segments_markup_and_states(result) -> None:
    document = etree.fromstring(render_xliff(result).encode("utf-8"))
    units = document.findall(".//x:unit", NS)
    assert [u.get("type") for u in units] == ["idtrans:title"] + [
        "idtrans:heading" if p.heading else "idtrans:paragraph" for p in result.article.paragraphs
    ]
    assert [len(u.findall("x:segment", NS)) for u in units] == [1, 2, 1, 1, 1, 1, 1]
    first = units[1].findall("x:segment", NS)
    terms = first[1].findall("x:source/x:mrk", NS)
    assert [(m.get("type"), m.text, m.get("value"), m.get("translate")) for m in terms] == [
        ("term", "KBS", "KBS", "no"),
        ("term", "Korea Utara", "North Korea", None),
    ]
    assert first[0].get("state") == "translated"
    assert (first[1].get("state"), first[1].get("subState")) == ("initial", "idtrans:needs-review")
    notes = [n.text for n in units[1].findall("x:notes/x:note", NS)]
    assert "Korea Utara → North Korea (north-korea: applied)" in notes
    assert "s2: glossary term KBS → KBS was not rendered" in notes
    retried = units[5].find("x:segment", NS)
    assert retried.get("state") == "initial"
    memory = units[6].find("x:segment", NS)
    assert (memory.get("state"), memory.get("subState")) == ("reviewed", "idtrans:tm")
    match = units[2].find("mtc:matches/mtc:match", NS)
    assert (match.get("ref"), match.get("similarity"), match.get("type")) == ("#s1", "81.2", "tm")
    assert match.find("x:target", NS).text == "US officials told Reuters."
    assert units[2].find("x:segment/x:target", NS).text.endswith(" <&>")  # escaped in the file, intact when read


def test_apply_round_trips_and_returns_human_approvals(result, tmp_path: Path) -> None:
    path = tmp_path / "page.xlf"
    path.write_text(render_xliff(result), encoding="utf-8")
    untouched = read_xliff(path)
    assert untouched.text() == "\n\n".join(english for _, _, english in result.paragraphs()) + "\n"
    assert untouched.approved("x") == []  # nothing edited, nothing marked: the memory learns nothing
    tree = etree.parse(str(path))
    segments = tree.findall(".//x:segment", NS)
    segments[1].find("x:target", NS).text = "North Korean troops have clashed with Ukrainian forces."
    segments[3].set("state", "final")  # approved as it is
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    applied = read_xliff(path)
    assert "North Korean troops have clashed with Ukrainian forces." in applied.text()
    approved = applied.approved("xliff:page.xlf")
    assert [(e.source[:20], e.target[:30]) for e in approved] == [
        ("Pasukan Korea Utara ", "North Korean troops have clash"),
        ("Pejabat AS memberita", "PEJABAT AS MEMBERITAHU KANTOR "),
    ]
    assert all(e.origin == "xliff:page.xlf" and "<mrk" not in e.source for e in approved)
    html = html_document(applied.blocks())
    assert html.count("<h2>") == 1 and "&lt;&amp;&gt;" in html and '<html lang="en">' in html


def test_apply_refuses_untranslated_segments_and_foreign_files(result, tmp_path: Path) -> None:
    path = tmp_path / "page.xlf"
    path.write_text(render_xliff(result), encoding="utf-8")
    tree = etree.parse(str(path))
    target = tree.findall(".//x:segment/x:target", NS)[2]
    target.getparent().remove(target)
    tree.write(str(path))
    with pytest.raises(InputError, match="1 segment\\(s\\) have no translation: u1/s2"):
        read_xliff(path)
    old = tmp_path / "old.xlf"
    old.write_text('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file/></xliff>')
    with pytest.raises(InputError, match="not an XLIFF 2 document"):
        read_xliff(old)
    broken = tmp_path / "broken.xlf"
    broken.write_text("<xliff><unit>")
    with pytest.raises(InputError, match="not well-formed"):
        read_xliff(broken)


def test_html_output_is_escaped_english_with_headings(result) -> None:
    html = render_html(result)
    import lxml.html

    root = lxml.html.document_fromstring(html)
    assert root.get("lang") == "en"
    assert [e.tag for e in root.find("body/article")] == ["h1", "p", "p", "h2", "p", "p", "p"]
    assert root.findtext("head/title") == root.findtext("body/article/h1")
    assert "<&>" not in html and "&lt;&amp;&gt;" in html
