"""Model choice, the offline error, and the real torch backend on a tiny MarianMT model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.errors import ModelError
from idtrans.pipeline.backends.load import load_backend
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import DecodeSettings
from idtrans.pipeline.models import resolve as models
from idtrans.pipeline.models.resolve import DEFAULT_MODEL, choose_model


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No Hub, an empty Hugging Face cache, no bundled model, no IDTRANS_MODEL."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("IDTRANS_MODEL", raising=False)
    monkeypatch.setattr(models, "hub_reachable", lambda timeout=0: False)
    monkeypatch.setattr(models, "BUNDLED_MODEL_DIR", tmp_path / "no-bundled-model")


def test_offline_default_model_is_one_clear_error(offline):
    with pytest.raises(ModelError) as caught:
        choose_model(None)
    assert caught.value.where == DEFAULT_MODEL
    assert "--model DIR" in caught.value.hint


def test_offline_cli_says_one_line_and_exits_non_zero(offline, example_article):
    result = CliRunner().invoke(app, ["translate", str(example_article), "--no-glossary", "--no-cache"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert error_lines == [
        f"error: {DEFAULT_MODEL}: not in the local Hugging Face cache and the Hub cannot be reached (offline?)"
    ]
    assert "hint:" in result.output and "--model DIR" in result.output


def test_precedence_option_over_environment_over_default(offline, monkeypatch, tiny_model_dir, tmp_path):
    monkeypatch.setenv("IDTRANS_MODEL", str(tiny_model_dir))
    assert choose_model(None).origin == "IDTRANS_MODEL"
    other = tmp_path / "other"
    other.symlink_to(tiny_model_dir, target_is_directory=True)
    choice = choose_model(str(other))
    assert (choice.origin, choice.path) == ("--model", other)


def test_bundled_model_is_the_offline_fallback(offline, monkeypatch, tiny_model_dir):
    monkeypatch.setattr(models, "BUNDLED_MODEL_DIR", tiny_model_dir)
    choice = choose_model(None)
    assert choice.is_bundled and choice.path == tiny_model_dir
    lines = []
    load_backend(choice, notice=lines.append)
    assert len(lines) == 1 and "bundled offline model" in lines[0]


SHIPPED_MODEL_DIR = models.BUNDLED_MODEL_DIR  # the real one, before any fixture replaces it


@pytest.mark.skipif(not (SHIPPED_MODEL_DIR / "config.json").is_file(), reason="no bundled model in this checkout")
def test_offline_the_shipped_bundled_model_translates_the_sample_article(offline, monkeypatch, example_article):
    monkeypatch.setattr(models, "BUNDLED_MODEL_DIR", SHIPPED_MODEL_DIR)
    result = CliRunner().invoke(app, ["translate", str(example_article), "--no-cache", "--backend", "torch"])
    assert result.exit_code == 0, result.output
    notices = [
        line for line in result.output.splitlines() if line.startswith("note: using the small bundled offline model")
    ]
    assert len(notices) == 1 and "dev BLEU" in notices[0] and DEFAULT_MODEL in notices[0]
    english = result.stdout.split("\n\n")
    assert len(english) >= 2 and "North Korea" in result.stdout and "Kursk" in result.stdout
    assert " dan " not in result.stdout and " yang " not in result.stdout  # English, not the Indonesian passed through


def test_bundled_notice_gives_the_bundled_scores_not_the_compared_ones(offline, monkeypatch, tmp_path):
    (tmp_path / "scores.json").write_text(
        json.dumps(
            {
                "dev": {"bleu": 8.04, "chrf++": 30.1},
                "flores200-devtest": {"bleu": 9.51},
                "compared_with": {"standin-id-en": {"dev": {"bleu": 5.5}}},
            }
        )
    )
    monkeypatch.setattr(models, "BUNDLED_MODEL_DIR", tmp_path)
    notice = models.bundled_notice()
    assert "(dev BLEU 8.0, flores200-devtest BLEU 9.5)" in notice and "5.5" not in notice
    assert "\n" not in notice and models.DEFAULT_MODEL in notice


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such model directory"),
        (lambda p: (p / "empty").mkdir() or p / "empty", "no config.json"),
        (lambda p: (p / "file.txt").write_text("x") and p / "file.txt", "is a file"),
    ],
)
def test_bad_model_paths(offline, tmp_path, make, message):
    with pytest.raises(ModelError, match=message):
        choose_model(str(make(tmp_path)))


def test_not_a_marian_model(offline, tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "t5"}')
    with pytest.raises(ModelError, match="'t5' model"):
        choose_model(str(tmp_path))


@pytest.fixture(scope="module")
def tiny_backend(tiny_model_dir):
    return load_backend(str(tiny_model_dir), threads=1)


def test_split_tokens_is_lossless_and_within_window(tiny_backend):
    text = "Pasukan Korea Utara telah bentrok dengan pasukan Ukraina " * 30
    pieces = tiny_backend.split_tokens(text, 20)
    assert "".join(pieces) == text
    assert len(pieces) > 5
    assert max(tiny_backend.count_tokens(pieces)) <= 22


def test_three_thousand_word_paragraph_without_full_stops(tiny_backend):
    words = [
        "pasukan",
        "Korea",
        "Utara",
        "bentrok",
        "dengan",
        "Ukraina",
        "di",
        "wilayah",
        "Kursk",
        "menurut",
        "pejabat",
        "AS",
        "dan",
        "NATO",
        "yang",
        "mengatakan",
    ]
    paragraph = " ".join(words[i % len(words)] for i in range(3000))
    translator = SentenceTranslator(tiny_backend, DecodeSettings(beams=1, batch_tokens=4000))
    (result,) = translator.translate([paragraph])
    assert result.source == paragraph
    assert result.info["parts"] >= 3000 // translator.max_piece_tokens
    assert result.text.strip()


def test_real_backend_keeps_order_and_count(tiny_backend):
    sentences = [
        "Halo.",
        "Pasukan Korea Utara telah bentrok dengan pasukan Ukraina untuk pertama kalinya.",
        "",
        "Kursk.",
    ]
    results = SentenceTranslator(tiny_backend, DecodeSettings(beams=2)).translate(sentences)
    assert [r.source for r in results] == sentences
    assert results[2].text == ""


def test_a_converted_directory_is_accepted_as_a_model(offline, tiny_model_dir, tmp_path):
    from idtrans.pipeline.models.convert import convert_model

    target = tmp_path / "ct2"
    convert_model(tiny_model_dir, target, "int8")
    choice = choose_model(str(target))
    assert choice.path == target
    with pytest.raises(ModelError, match="CTranslate2 directory"):
        load_backend(choice, backend="torch")
    assert load_backend(choice, backend="ct2").max_input_tokens > 0
