"""Bad input and silent loss found by the session-4 review of the change, each pinned by a test."""

from __future__ import annotations

import gzip

import pytest
from fakes import WordBackend

from idtrans.errors import InputError, TranslationError
from idtrans.glossary.check import _find
from idtrans.io import read_utf8
from idtrans.pipeline.layers.cache import max_cache_bytes
from idtrans.pipeline.layers.enforce import _all_scores
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import DecodeSettings
from idtrans.pipeline.translate import translate_directory


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_a_non_finite_cache_limit_is_an_input_error(monkeypatch, value):
    monkeypatch.setenv("IDTRANS_CACHE_MAX_MB", value)
    with pytest.raises(InputError, match="finite number"):
        max_cache_bytes()
    with pytest.raises(InputError, match="finite number"):
        max_cache_bytes(float(value))


def test_the_fast_term_prefilter_finds_a_dotted_capital_i():
    # re.IGNORECASE matches "istanbul" in "İstanbul"; the substring pre-check must not skip it.
    assert [m.group() for m in _find("istanbul", True, False, "Ke İstanbul besok.")] == ["İstanbul"]


def test_a_corrupt_gzip_corpus_is_an_input_error(tmp_path):
    data = bytearray(gzip.compress(b"satu\ndua\n" * 200))
    data[20:40] = b"\xff" * 20  # damage the deflate stream, not only the CRC
    path = tmp_path / "train.id.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot read"):
        read_utf8(path, role="source")


def test_missing_model_scores_are_an_error_not_dropped():
    assert _all_scores([-1, -2.5], 2) == [-1.0, -2.5]
    with pytest.raises(TranslationError, match="scored 1 of 2"):
        _all_scores([-1.0], 2)
    with pytest.raises(TranslationError, match="scored 0 of 3"):
        _all_scores(None, 3)


class _BrokenModel(WordBackend):
    def generate(self, texts, options):
        raise TranslationError("the model failed", hint="not the input's fault")


def test_a_model_error_stops_a_directory_run_instead_of_failing_every_file(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (source / name).write_text("Pasukan tiba di Kursk.\n", encoding="utf-8")
    seen = []
    with pytest.raises(TranslationError, match="the model failed"):
        translate_directory(
            source,
            tmp_path / "out",
            SentenceTranslator(_BrokenModel(), DecodeSettings()),
            fmt="text",
            on_file=seen.append,
        )
    assert seen == []  # no file was reported as bad input


def test_a_bad_file_is_still_a_failed_outcome_and_the_rest_are_translated(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Pasukan tiba di Kursk.\n", encoding="utf-8")
    (source / "b.txt").write_bytes(b"\x00\x01binary")
    outcomes = translate_directory(
        source, tmp_path / "out", SentenceTranslator(WordBackend(), DecodeSettings()), fmt="text"
    )
    assert sorted(o.status for o in outcomes) == ["failed", "translated"]
    assert (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8").strip()
