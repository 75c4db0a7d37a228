"""Shared fixtures: a tiny MarianMT model built from scratch, so no test needs ../shared or the Hub."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE_ARTICLE = Path(__file__).resolve().parents[1] / "corpus" / "examples" / "kursk-korea-utara.id.txt"

_TINY_TEXT_ID = [
    "Pasukan Korea Utara telah bentrok dengan pasukan Ukraina untuk pertama kalinya.",
    "Menteri Pertahanan Ukraina Rustem Umerov mengatakan kelompok kecil pasukan diserang.",
    "Pejabat AS memberitahu kantor berita Reuters bahwa pasukan terlibat dalam pertempuran.",
    "Presiden Rusia Vladimir Putin berkunjung ke Pyongyang pada bulan Juni.",
    "Sekitar 11.000 tentara berada di wilayah perbatasan Kursk.",
]
_TINY_TEXT_EN = [
    "North Korean troops have clashed with Ukrainian forces for the first time.",
    "Ukrainian Defence Minister Rustem Umerov said a small group of troops was attacked.",
    "US officials told the Reuters news agency that troops were involved in the fighting.",
    "Russian President Vladimir Putin visited Pyongyang in June.",
    "About 11,000 soldiers are in the Kursk border region.",
]


def build_tiny_marian(directory: Path, *, vocab_size: int = 120, seed: int = 0) -> Path:
    """Save a random-weight MarianMT model with a real SentencePiece vocabulary to ``directory``.

    The weights are random, so translations are gibberish; what the tests exercise is the
    real loading, batching, splitting and assembly code around the model.
    """
    import torch
    from transformers import MarianConfig, MarianMTModel

    from idtrans.training.vocab import train_vocab

    vocab = train_vocab(directory, _TINY_TEXT_ID * 40, _TINY_TEXT_EN * 40, vocab_size=vocab_size, max_positions=64)
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    MarianMTModel(config).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random MarianMT model directory, built once per test session."""
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def example_article() -> Path:
    """The bundled sample article (Indonesian, North Korean troops in Kursk)."""
    return EXAMPLE_ARTICLE


@pytest.fixture(autouse=True)
def _no_automatic_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--backend auto` converts a model on first use; tests opt in (tests/test_hardening_convert.py)."""
    monkeypatch.setenv("IDTRANS_AUTO_CONVERT", "0")


@pytest.fixture(autouse=True)
def _no_word_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tiny random models write nothing but words that are not English: decoding every sentence again
    three times (the default ``--word-rounds``) would only slow the suite. The retry's tests ask for rounds."""
    monkeypatch.setenv("IDTRANS_WORD_ROUNDS", "0")
