"""TBX-Basic export/import of glossaries."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.errors import GlossaryError
from idtrans.glossary import default_glossary_path, load_glossary
from idtrans.glossary.tbx import TBX_NS, export_tbx, import_tbx, read_tbx

T = f"{{{TBX_NS}}}"
#: TBX-Basic (DCA) data categories, from the dialect's integrated schema.
ALLOWED = {
    "descrip": {"context", "definition", "subjectField"},
    "termNote": {
        "administrativeStatus",
        "grammaticalGender",
        "geographicalUsage",
        "partOfSpeech",
        "termLocation",
        "termType",
    },
}
STATUSES = {"preferredTerm-admn-sts", "admittedTerm-admn-sts", "deprecatedTerm-admn-sts", "supersededTerm-admn-sts"}


def _check_structure(root: etree._Element) -> None:
    """The TBX v3 core structure and TBX-Basic's data categories (the dialect's RNG content model)."""
    assert root.tag == f"{T}tbx" and root.get("type") == "TBX-Basic" and root.get("style") == "dca"
    assert [c.tag for c in root] == [f"{T}tbxHeader", f"{T}text"]
    assert root.find(f"{T}tbxHeader/{T}fileDesc/{T}sourceDesc/{T}p") is not None
    concepts = root.findall(f"{T}text/{T}body/{T}conceptEntry")
    assert concepts
    for concept in concepts:
        tags = [c.tag for c in concept]
        first_lang = tags.index(f"{T}langSec")
        assert all(t == f"{T}langSec" for t in tags[first_lang:])  # auxInfo first, then langSecs
        assert set(tags[:first_lang]) <= {f"{T}descrip", f"{T}note"}
        for sec in concept.findall(f"{T}langSec"):
            assert sec.get("{http://www.w3.org/XML/1998/namespace}lang")
            for term_sec in sec.findall(f"{T}termSec"):
                assert term_sec[0].tag == f"{T}term" and term_sec[0].text
    for element in root.iter(f"{T}descrip", f"{T}termNote"):
        assert element.get("type") in ALLOWED[etree.QName(element).localname]
    for note in root.iter(f"{T}termNote"):
        assert note.text in STATUSES


def test_bundled_glossary_round_trips_without_loss(tmp_path: Path) -> None:
    bundled = load_glossary(default_glossary_path())
    tbx = tmp_path / "terms.tbx"
    tbx.write_bytes(export_tbx(bundled))
    _check_structure(etree.parse(str(tbx)).getroot())
    outcome = import_tbx(tbx, tmp_path / "copy.yaml")
    assert len(outcome["added"]) == len(bundled)
    copy = load_glossary(tmp_path / "copy.yaml")
    assert [e.content() for e in copy.entries] == [e.content() for e in bundled.entries]
    assert (copy.name, copy.spelling, copy.notes.strip()) == (bundled.name, bundled.spelling, bundled.notes.strip())
    assert copy.fingerprint == bundled.fingerprint
    # every feature is exercised by the bundled glossary
    assert {e.case for e in bundled.entries} == {"as-written", "ignore", "keep-source"}
    assert any(e.also for e in bundled.entries) and any(e.forbidden for e in bundled.entries)
    assert any(len(e.sources) > 1 for e in bundled.entries) and any(e.note for e in bundled.entries)


def test_cli_export_import_and_merge_into_an_existing_glossary(tmp_path: Path) -> None:
    runner = CliRunner()
    tbx = tmp_path / "terms.tbx"
    result = runner.invoke(app, ["glossary", "export", str(tbx)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "mine.yaml"
    runner.invoke(app, ["glossary", "add", "-s", "Korut", "-t", "North Korea", "-g", str(target)])
    result = runner.invoke(app, ["glossary", "import", str(tbx), "-g", str(target)])
    assert result.exit_code == 0, result.output
    assert "(tbx layout)" in result.stdout
    merged = load_glossary(target)
    north = next(e for e in merged.entries if e.target == "North Korea")
    assert "Korut" in north.sources and "Korea Utara" in north.sources


def test_tbx_v2_and_other_tools(tmp_path: Path) -> None:
    v2 = tmp_path / "v2.tbx"
    v2.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></martifHeader>
<text><body>
 <termEntry id="c1"><descrip type="subjectField">defence</descrip>
  <langSet xml:lang="id-ID"><tig><term>Angkatan Darat</term></tig></langSet>
  <langSet xml:lang="en-GB"><tig><term>Army</term></tig>
   <ntig><termGrp><term>Land Force</term></termGrp>
    <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></ntig></langSet>
 </termEntry>
</body></text></martif>""",
        encoding="utf-8",
    )
    parsed = read_tbx(v2)
    assert parsed.entries == [
        {
            "id": "c1",
            "category": "other",
            "case": "as-written",
            "source": ["Angkatan Darat"],
            "target": "Army",
            "note": "subject field: defence",
            "also": [],
            "forbidden": ["Land Force"],
        }
    ]
    missing = tmp_path / "missing.tbx"
    missing.write_text(v2.read_text().replace('xml:lang="en-GB"', 'xml:lang="fr"'))
    with pytest.raises(GlossaryError, match="no preferred 'en' term"):
        read_tbx(missing)
    with pytest.raises(GlossaryError, match="not a TBX file"):
        (tmp_path / "x.tbx").write_text("<tmx/>")
        read_tbx(tmp_path / "x.tbx")
