"""`idtrans model convert`, `idtrans cache stats|clear`, and a start-up free of heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.pipeline.layers.cache import CachedTranslator, SentenceCache
from idtrans.pipeline.layers.translator import Translation


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("IDTRANS_CACHE", str(tmp_path / "sentences.sqlite3"))


def _invoke(*args):
    return CliRunner().invoke(app, list(args))


def test_convert_to_destination_then_refuse_without_force(tiny_model_dir, tmp_path):
    destination = tmp_path / "ct2"
    result = _invoke("model", "convert", str(tiny_model_dir), str(destination), "--quantization", "float32")
    assert result.exit_code == 0, result.output
    assert f"wrote {destination} (float32" in result.output
    assert json.loads((destination / "idtrans-convert.json").read_text())["quantization"] == "float32"
    again = _invoke("model", "convert", str(tiny_model_dir), str(destination))
    assert again.exit_code == 1
    assert "a converted model already exists there" in again.output and "--force" in again.output
    assert "Traceback" not in again.output


def test_convert_default_destination_is_used_by_auto_backend(tiny_model_dir, tmp_path):
    from idtrans.pipeline.layers.factory import build_stack

    result = _invoke("model", "convert", str(tiny_model_dir))
    assert result.exit_code == 0, result.output
    assert "now uses it" in result.output
    stack = build_stack(str(tiny_model_dir), glossary=None, backend="auto", threads=1)
    assert stack.backend.identity.startswith("ct2-int8:")


def test_convert_bad_quantization_is_a_usage_error(tiny_model_dir, tmp_path):
    result = _invoke("model", "convert", str(tiny_model_dir), str(tmp_path / "x"), "--quantization", "int4")
    assert result.exit_code == 2 and not (tmp_path / "x").exists()


def test_convert_missing_model_is_one_clean_error(tmp_path):
    result = _invoke("model", "convert", str(tmp_path / "no-such-model"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "no such model directory" in result.output and "Traceback" not in result.output


class _Upper:
    identity = "fake-model|beams=4"

    def translate(self, sentences):
        return [Translation(s, s.upper()) for s in sentences]


def test_cache_stats_and_clear(tmp_path):
    empty = _invoke("cache", "stats")
    assert empty.exit_code == 0 and "no file yet" in empty.output
    CachedTranslator(_Upper(), tmp_path / "sentences.sqlite3").translate(["satu", "dua"])
    stats = _invoke("cache", "stats")
    assert stats.exit_code == 0
    assert "entries: 2 sentence translations for 1 model/settings combinations" in stats.output
    assert "fake-model|beams=4" in stats.output
    cleared = _invoke("cache", "clear")
    assert cleared.exit_code == 0 and "removed 2 cached translation(s)" in cleared.output
    assert SentenceCache(tmp_path / "sentences.sqlite3").stats().entries == 0


def test_cache_commands_take_an_explicit_path(tmp_path):
    other = tmp_path / "other.sqlite3"
    CachedTranslator(_Upper(), other).translate(["tiga"])
    assert "entries: 1 " in _invoke("cache", "stats", "--path", str(other)).output


def test_startup_imports_nothing_heavy():
    """`idtrans --help` must stay fast: no torch, transformers, ctranslate2, sentencepiece or sacrebleu at start-up."""
    code = (
        "import sys, idtrans.cli\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'sentencepiece', 'sacrebleu', 'numpy') if "
        "m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
