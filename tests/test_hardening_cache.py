"""Issue 13, the sentence cache: read-only/unusable caches are errors for its commands, damaged hits are
re-translated, a size limit with LRU eviction and ``cache prune``, keys that name threads and batching."""

from __future__ import annotations

import re
import sqlite3

import pytest
from fakes import WordBackend
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.glossary import load_glossary
from idtrans.glossary.loader import default_glossary_path
from idtrans.pipeline.layers.cache import CachedTranslator, SentenceCache, max_cache_bytes, prune_cache
from idtrans.pipeline.layers.factory import glossary_verifier
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import DecodeSettings, Translation


class Upper:
    identity = "fake|upper"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def translate(self, sentences):
        self.seen.extend(sentences)
        return [Translation(s, f"{s.upper()} " + "x" * 400, 0.01, {}) for s in sentences]


@pytest.mark.parametrize("command", ["stats", "clear", "prune"])
def test_cache_commands_on_an_unusable_cache_are_an_error(tmp_path, command):
    unusable = tmp_path / "cache-is-a-directory"
    unusable.mkdir()
    result = CliRunner().invoke(app, ["cache", command, "--path", str(unusable)])
    assert result.exit_code == 1, result.output
    assert f"error: {unusable}: the sentence cache" in result.stderr and "hint:" in result.stderr
    assert "removed 0" not in result.output and "entries: 0" not in result.output


def test_a_read_only_cache_is_an_error_for_clear(tmp_path, monkeypatch):
    path = tmp_path / "cache.sqlite3"
    CachedTranslator(Upper(), path).translate(["Satu."])

    def read_only(self):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(SentenceCache, "_open", read_only)
    result = CliRunner().invoke(app, ["cache", "clear", "--path", str(path)])
    assert result.exit_code == 1 and "readonly database" in result.stderr


def test_a_damaged_cached_row_is_translated_again_not_returned(tmp_path):
    glossary = load_glossary(default_glossary_path())
    entry = next(e for e in glossary.entries if e.id == "president")
    path = tmp_path / "cache.sqlite3"

    class Enforced:
        identity = "fake|enforced"

        def __init__(self) -> None:
            self.calls = 0

        def translate(self, sentences):
            self.calls += 1
            record = {"entry": entry.id, "source_form": "Presiden", "target": entry.target, "status": "applied"}
            return [Translation(s, f"The {entry.target} spoke.", 0.01, {"glossary": [record]}) for s in sentences]

    inner = Enforced()
    CachedTranslator(inner, path, verify=glossary_verifier(glossary)).translate(["Presiden berbicara."])
    with sqlite3.connect(path) as connection:  # damage the row: the term is gone from the English
        connection.execute("UPDATE translations SET translation = 'The boss spoke.'")
    cached = CachedTranslator(inner, path, verify=glossary_verifier(glossary))
    [again] = cached.translate(["Presiden berbicara."])
    assert again.text == f"The {entry.target} spoke." and inner.calls == 2
    assert cached.damaged == 1 and "1 damaged row(s) translated again" in cached.summary_line()
    [third] = CachedTranslator(inner, path, verify=glossary_verifier(glossary)).translate(["Presiden berbicara."])
    assert third.info.get("cached") and inner.calls == 2  # the repaired row is a good hit again


def test_the_cache_stays_under_its_limit_evicting_least_recently_used(tmp_path):
    path = tmp_path / "cache.sqlite3"
    cache = CachedTranslator(Upper(), path)
    cache.store.max_bytes = 200_000
    cache.translate(["kalimat pertama yang dipakai lagi."])
    for batch in range(12):
        cache.translate([f"kalimat {batch}-{n}." for n in range(40)])
        cache.translate(["kalimat pertama yang dipakai lagi."])  # kept fresh: never the least recently used
    with sqlite3.connect(path) as connection:
        pages, free, size = (
            connection.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size")
        )
        count = connection.execute("SELECT count(*) FROM translations").fetchone()[0]
    assert (pages - free) * size <= 200_000
    assert 0 < count < 12 * 40 and cache.store.evicted > 0
    probe = Upper()
    CachedTranslator(probe, path).translate(["kalimat pertama yang dipakai lagi.", "kalimat 0-0."])
    assert probe.seen == ["kalimat 0-0."]  # the oldest row went, the one in use stayed


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("IDTRANS_CACHE_MAX_MB", raising=False)
    assert max_cache_bytes() == 500_000_000
    monkeypatch.setenv("IDTRANS_CACHE_MAX_MB", "2.5")
    assert max_cache_bytes() == 2_500_000
    monkeypatch.setenv("IDTRANS_CACHE_MAX_MB", "lots")
    with pytest.raises(Exception, match="must be a number of megabytes"):
        max_cache_bytes()


def test_cache_prune_shrinks_the_file(tmp_path):
    path = tmp_path / "cache.sqlite3"
    cache = CachedTranslator(Upper(), path)
    cache.store.max_bytes = 0  # no limit while filling
    cache.translate([f"kalimat {n}." for n in range(600)])
    cache.close()
    result = CliRunner().invoke(app, ["cache", "prune", "--path", str(path), "--max-mb", "0.1"])
    assert result.exit_code == 0, result.output
    assert "removed " in result.stdout and "MB ->" in result.stdout
    before, after = (float(x) for x in re.findall(r"([\d.]+) MB", result.stdout))
    assert after < before / 2 and path.stat().st_size <= 140_000
    store = SentenceCache(path, strict=True)
    outcome = prune_cache(store, max_bytes=100_000)
    assert outcome.removed == 0 and outcome.after_bytes <= 140_000  # already pruned; file compacted
    old = CliRunner().invoke(app, ["cache", "prune", "--path", str(path), "--older-than", "0"])
    assert old.exit_code == 0 and SentenceCache(path).stats().entries == 0


def test_the_cache_key_names_the_batch_budget():
    a = SentenceTranslator(WordBackend(), DecodeSettings(batch_tokens=8000))
    b = SentenceTranslator(WordBackend(), DecodeSettings(batch_tokens=2000))
    assert a.identity != b.identity and "batch=8000/32" in a.identity


def test_the_ct2_key_names_the_thread_layout(tiny_model_dir, tmp_path, monkeypatch):
    pytest.importorskip("ctranslate2")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    from idtrans.pipeline.backends.ct2_backend import CT2MarianBackend
    from idtrans.pipeline.models.convert import convert_model

    converted = convert_model(tiny_model_dir, tmp_path / "int8", "int8").path
    one, two = CT2MarianBackend(converted, threads=1), CT2MarianBackend(converted, threads=2)
    assert one.identity != two.identity and one.identity.endswith("/threads=1x1")
