"""The translation memory: storage, exact and fuzzy matching, the translator layer, TMX 1.4b round trips."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from lxml import etree

from idtrans.errors import InputError
from idtrans.interop.tm import MemoryEntry, MemoryTranslator, TranslationMemory, normalise_source
from idtrans.interop.tmx import TmxReport, export_tmx, read_tmx
from idtrans.pipeline.layers.translator import Translation


class Upper:
    identity = "upper"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        self.seen.extend(sentences)
        return [Translation(s, s.upper(), 0.5, {"glossary": []}) for s in sentences]


def _thousand(seed: int = 7) -> list[MemoryEntry]:
    rng = random.Random(seed)
    words = [
        "pasukan",
        "Korea",
        "Utara",
        "Ukraina",
        "menteri",
        "“kelompok",
        "kecil”",
        "11.000",
        "<b>tebal</b>",
        "&",
        "café",
        "naïve",
        "—",
        "Rp5,5",
    ]
    entries = []
    for i in range(1000):
        source = f"{i}: " + " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
        entries.append(
            MemoryEntry(
                source,
                f"Sentence {i} «{source.upper()}»" + ("\nsecond line" if i % 97 == 0 else ""),
                "id",
                "en",
                origin=f"xliff:file{i % 5}.xlf",
                creator="editor" if i % 3 else "",
                note="checked" if i % 11 == 0 else "",
                props={"x-client": "desk"} if i % 7 == 0 else {},
                created=1_700_000_000 + i,
                changed=1_700_000_500 + i,
            )
        )
    return entries


def test_exact_match_after_normalisation_and_updates(tmp_path: Path) -> None:
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        outcome = memory.add([MemoryEntry("Dia berkata “tidak”.", "He said “no”.")])
        assert (outcome.added, len(memory)) == (1, 1)
        found = memory.exact(['Dia  berkata "tidak".', "Dia berkata tidak."])
        assert list(found) == ['Dia  berkata "tidak".'] and found['Dia  berkata "tidak".'].target == "He said “no”."
        again = memory.add([MemoryEntry('Dia berkata "tidak".', "He said: no.")])
        assert (again.updated, len(memory)) == (1, 1)
        assert memory.exact(["Dia berkata “tidak”."])["Dia berkata “tidak”."].target == "He said: no."
        assert memory.add([MemoryEntry('Dia berkata "tidak".', "He said: no.")]).unchanged == 1
    assert normalise_source(" a\u00a0 “b” — c ") == 'a "b" - c'


def test_layer_uses_approved_translations_and_only_offers_fuzzy_ones(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    memory.add(
        [
            MemoryEntry(
                "Pasukan Korea Utara diserang di Kursk.",
                "North Korean troops were attacked in Kursk.",
                origin="xliff:a.xlf",
            )
        ]
    )
    inner = Upper()
    layer = MemoryTranslator(inner, memory, threshold=80)
    out = layer.translate(
        [
            "Pasukan Korea Utara diserang di Kursk.",
            "Pasukan Korea Utara diserang di Kursk kemarin.",
            "Sesuatu yang sama sekali lain.",
        ]
    )
    assert out[0].text == "North Korean troops were attacked in Kursk." and out[0].info["tm"]["match"] == "exact"
    assert out[1].text == "PASUKAN KOREA UTARA DISERANG DI KURSK KEMARIN."  # never applied silently
    suggestion = out[1].info["tm_suggestions"][0]
    assert suggestion["target"] == "North Korean troops were attacked in Kursk."
    assert 80 <= suggestion["similarity"] < 100
    assert "tm_suggestions" not in out[2].info
    assert inner.seen == ["Pasukan Korea Utara diserang di Kursk kemarin.", "Sesuatu yang sama sekali lain."]
    assert layer.identity == inner.identity  # the cache below keeps its keys
    assert "1 approved translation(s) used, 1 sentence(s) with fuzzy suggestions" in layer.summary_line()


def test_missing_memory_file_is_not_created_by_translation(tmp_path: Path) -> None:
    path = tmp_path / "none" / "tm.sqlite3"
    out = MemoryTranslator(Upper(), TranslationMemory(path)).translate(["Satu."])
    assert out[0].text == "SATU." and not path.exists()


def test_damaged_memory_is_an_error_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="translation memory: cannot open it"):
        TranslationMemory(path).exact(["Satu."])
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_tmx_round_trip_of_a_thousand_sentence_memory_is_lossless(tmp_path: Path) -> None:
    entries = _thousand()
    first = TranslationMemory(tmp_path / "a.sqlite3")
    assert first.add(entries).added == 1000
    data = export_tmx(list(first.entries()))
    root = etree.fromstring(data)
    assert root.get("version") == "1.4" and len(root.findall("body/tu")) == 1000
    assert data.startswith(b"<?xml") and b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in data
    tmx = tmp_path / "memory.tmx"
    tmx.write_bytes(data)
    report = TmxReport()
    second = TranslationMemory(tmp_path / "b.sqlite3")
    assert second.add(read_tmx(tmx, report=report)).added == 1000 and report.skipped == 0
    assert [e.content() for e in second.entries()] == [e.content() for e in entries]


def test_tmx_from_other_tools(tmp_path: Path) -> None:
    tmx = tmp_path / "other.tmx"
    tmx.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="X" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en"
 srclang="id-ID" datatype="html"/>
<body>
 <tu><tuv xml:lang="id-ID"><seg>Menteri <bpt i="1">&lt;b&gt;</bpt>Umerov<ept i="1">&lt;/b&gt;</ept> berkata.</seg></tuv>
     <tuv xml:lang="en-GB"><seg>Minister <hi>Umerov</hi> said.<ph>&lt;br/&gt;</ph></seg></tuv></tu>
 <tu><tuv xml:lang="id-ID"><seg>Hanya sumber.</seg></tuv><tuv xml:lang="fr"><seg>Seulement.</seg></tuv></tu>
</body></tmx>""",
        encoding="utf-8",
    )
    report = TmxReport()
    entries = list(read_tmx(tmx, report=report))
    assert [(e.source, e.target) for e in entries] == [("Menteri Umerov berkata.", "Minister Umerov said.")]
    assert (report.units, report.skipped) == (2, 1)
    bad = tmp_path / "bad.tmx"
    bad.write_text("<xliff/>")
    with pytest.raises(InputError, match="not a TMX file"):
        list(read_tmx(bad))
    broken = tmp_path / "broken.tmx"
    broken.write_text("<tmx><body><tu>")
    with pytest.raises(InputError, match="not well-formed"):
        list(read_tmx(broken))


def test_concurrent_readers_see_a_committed_memory(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    TranslationMemory(path).add([MemoryEntry("Satu.", "One.")])
    rows = sqlite3.connect(str(path)).execute("SELECT source, target FROM units").fetchall()
    assert rows == [("Satu.", "One.")]


def test_a_tmx_broken_half_way_stores_nothing(tmp_path: Path) -> None:
    tmx = tmp_path / "half.tmx"
    tmx.write_text(
        '<tmx version="1.4"><header srclang="id"/><body>'
        '<tu><tuv xml:lang="id"><seg>Satu.</seg></tuv><tuv xml:lang="en"><seg>One.</seg></tuv></tu>'
        '<tu><tuv xml:lang="id"><seg>Dua.</seg></tuv>',
        encoding="utf-8",
    )
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    with pytest.raises(InputError, match="not well-formed"):
        memory.add(read_tmx(tmx))
    assert len(memory) == 0
