"""The persistent sentence cache: hits and misses, key sensitivity, two processes, corrupt files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fakes import WordBackend

from idtrans.pipeline.layers.cache import CachedTranslator, SentenceCache
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import DecodeSettings, Translation
from idtrans.settings import CACHE_FILENAME, default_cache_path


class CountingTranslator:
    """A Translator that upper-cases, remembering every sentence it was asked to translate."""

    def __init__(self, identity: str = "fake|beams=4|glossary=none") -> None:
        self.identity = identity
        self.seen: list[str] = []

    def translate(self, sentences):
        self.seen.extend(sentences)
        return [Translation(s, s.upper(), 0.01, {"parts": 1}) for s in sentences]


ARTICLE = [
    ["Judul berita hari ini."],
    ["Kalimat pertama paragraf satu.", "Kalimat kedua paragraf satu."],
    ["Paragraf dua dimulai di sini.", "Ini kalimat tengah.", "Dan ini penutupnya."],
    ["Paragraf tiga pendek."],
]


@pytest.fixture
def cache_file(tmp_path) -> Path:
    return tmp_path / "cache.sqlite3"


def test_second_run_is_all_hits_and_identical(cache_file):
    inner = CountingTranslator()
    sentences = [s for paragraph in ARTICLE for s in paragraph]
    first = CachedTranslator(inner, cache_file).translate(sentences)
    assert inner.seen == sentences
    again = CachedTranslator(inner, cache_file)  # a new process would open it the same way
    second = again.translate(sentences)
    assert inner.seen == sentences  # nothing translated the second time
    assert [t.text for t in second] == [t.text for t in first]
    assert all(t.info["cached"] and t.info["parts"] == 1 and t.seconds == 0.0 for t in second)
    assert (again.hits, again.misses) == (len(sentences), 0)
    assert "hit" in again.summary_line()


def test_edited_paragraph_retranslates_only_its_changed_sentences(cache_file):
    inner = CountingTranslator()
    translator = CachedTranslator(inner, cache_file)
    translator.translate([s for paragraph in ARTICLE for s in paragraph])
    edited = [list(p) for p in ARTICLE]
    edited[2][1] = "Ini kalimat tengah yang diubah."
    edited[2].append("Kalimat baru ditambahkan.")
    inner.seen.clear()
    results = translator.translate([s for paragraph in edited for s in paragraph])
    assert inner.seen == ["Ini kalimat tengah yang diubah.", "Kalimat baru ditambahkan."]
    assert sorted(translator.last_misses) == sorted(inner.seen)
    assert [r.text for r in results] == [s.upper() for p in edited for s in p]


def test_repeats_within_one_call_are_translated_once_and_order_kept(cache_file):
    inner = CountingTranslator()
    batch = ["b", "a", "b", "c", "a"]
    results = CachedTranslator(inner, cache_file).translate(batch)
    assert inner.seen == ["b", "a", "c"]
    assert [r.source for r in results] == batch and [r.text for r in results] == ["B", "A", "B", "C", "A"]


@pytest.mark.parametrize(
    "changed",
    [
        "torch:opus@aaaa|beams=4|glossary=v1",  # other model weights
        "ct2-int8:opus@1111|beams=4|glossary=v1",  # other backend
        "torch:opus@1111|beams=5|glossary=v1",  # other decoding settings
        "torch:opus@1111|beams=4|glossary=v2",  # other glossary version
    ],
)
def test_key_changes_with_model_backend_settings_and_glossary(cache_file, changed):
    base = "torch:opus@1111|beams=4|glossary=v1"
    CachedTranslator(CountingTranslator(base), cache_file).translate(["Satu kalimat."])
    same = CountingTranslator(base)
    CachedTranslator(same, cache_file).translate(["Satu kalimat."])
    assert same.seen == []
    other = CountingTranslator(changed)
    CachedTranslator(other, cache_file).translate(["Satu kalimat."])
    assert other.seen == ["Satu kalimat."]


def test_real_translator_identity_carries_decoding_settings(cache_file):
    """SentenceTranslator's identity (what the cache keys on) changes with the settings."""
    backend = WordBackend()
    four = CachedTranslator(SentenceTranslator(backend, DecodeSettings(beams=4)), cache_file)
    four.translate(["satu dua tiga"])
    five = CachedTranslator(SentenceTranslator(backend, DecodeSettings(beams=5)), cache_file)
    five.translate(["satu dua tiga"])
    assert (five.hits, five.misses) == (0, 1)
    assert len(backend.calls) == 2


def test_stats_and_clear(cache_file):
    CachedTranslator(CountingTranslator("model-a"), cache_file).translate(["x", "y", "z"])
    cached = CachedTranslator(CountingTranslator("model-b"), cache_file)
    cached.translate(["x"])
    stats = cached.stats()
    assert (stats.entries, stats.identities) == (4, 2)
    assert dict(stats.per_identity) == {"model-a": 3, "model-b": 1}
    assert any("4 sentence translations" in line for line in stats.lines())
    assert cached.clear() == 4
    assert cached.stats().entries == 0
    after = CountingTranslator("model-a")
    CachedTranslator(after, cache_file).translate(["x"])
    assert after.seen == ["x"]


def test_stats_of_a_missing_file_creates_nothing(tmp_path):
    store = SentenceCache(tmp_path / "none" / "c.sqlite3")
    assert not store.stats().exists and store.clear() == 0
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("garbage", [b"this is not a database at all" * 50, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_corrupt_file_is_reported_once_and_rebuilt(cache_file, garbage):
    cache_file.write_bytes(garbage)
    warnings: list[str] = []
    inner = CountingTranslator()
    translator = CachedTranslator(inner, cache_file, warn=warnings.append)
    results = translator.translate(["Satu.", "Dua."])
    assert [r.text for r in results] == ["SATU.", "DUA."]
    assert len(warnings) == 1 and "corrupt" in warnings[0] and "rebuilt" in warnings[0]
    assert "\n" not in warnings[0]
    again = CountingTranslator()
    CachedTranslator(again, cache_file, warn=warnings.append).translate(["Satu.", "Dua."])
    assert again.seen == [] and len(warnings) == 1  # the rebuilt cache works


def test_damage_found_mid_run_is_rebuilt_without_failing(cache_file):
    first = CachedTranslator(CountingTranslator(), cache_file)
    first.translate([f"kalimat {i}" for i in range(3000)])
    first.close()  # checkpoints the WAL into the main file
    assert cache_file.stat().st_size > 200_000
    warnings: list[str] = []
    inner = CountingTranslator()
    translator = CachedTranslator(inner, cache_file, warn=warnings.append)
    translator.store._connect()  # opened while intact ...
    with open(cache_file, "r+b") as handle:  # ... then damaged under the open connection
        handle.seek(4096)
        handle.write(b"\x13" * 200_000)
    results = translator.translate([f"kalimat {i}" for i in range(3000)] + ["baru"])
    assert len(results) == 3001 and results[-1].text == "BARU" and results[0].text == "KALIMAT 0"
    assert len(warnings) == 1 and "malformed" in warnings[0]
    assert translator.misses == 3001  # rebuilt empty, everything translated afresh
    assert SentenceCache(cache_file).stats().entries == 3001


def test_unusable_location_translates_without_cache(tmp_path):
    directory = tmp_path / "is-a-directory"
    directory.mkdir()
    warnings: list[str] = []
    inner = CountingTranslator()
    translator = CachedTranslator(inner, directory, warn=warnings.append)
    assert [r.text for r in translator.translate(["a", "b"])] == ["A", "B"]
    assert translator.translate(["a"])[0].text == "A"
    assert len(warnings) == 1 and "without the cache" in warnings[0]
    assert "off for this run" in translator.summary_line()


def test_wal_mode_is_on(cache_file):
    CachedTranslator(CountingTranslator(), cache_file).translate(["a"])
    with sqlite3.connect(cache_file) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.delenv("IDTRANS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_path() == tmp_path / "xdg" / "idtrans" / CACHE_FILENAME
    monkeypatch.setenv("IDTRANS_CACHE", str(tmp_path / "mine.sqlite3"))
    assert default_cache_path() == tmp_path / "mine.sqlite3"


_WRITER = textwrap.dedent(
    """
    import sys
    from idtrans.pipeline.layers.cache import CachedTranslator
    from idtrans.pipeline.layers.translator import Translation

    class Upper:
        identity = "shared-model"
        def translate(self, sentences):
            return [Translation(s, s.upper()) for s in sentences]

    path, name = sys.argv[1], sys.argv[2]
    warnings = []
    for round_ in range(40):
        # Half shared with the other process, half its own: both read and write the same rows.
        batch = [f"shared {round_} {i}" for i in range(10)] + [f"{name} {round_} {i}" for i in range(10)]
        translator = CachedTranslator(Upper(), path, warn=warnings.append)
        results = translator.translate(batch)
        assert [r.text for r in results] == [s.upper() for s in batch]
        translator.close()
    if warnings:
        print("\\n".join(warnings), file=sys.stderr)
        sys.exit(3)
    """
)


def test_two_processes_at_once(cache_file):
    processes = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(cache_file), name], stderr=subprocess.PIPE, text=True)
        for name in ("alpha", "beta")
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    stats = SentenceCache(cache_file).stats()
    assert stats.entries == 40 * 10 + 2 * 40 * 10  # shared rows once, each process's own rows
