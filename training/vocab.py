"""A shared SentencePiece vocabulary for both languages, in the file layout MarianTokenizer reads.

The layout (``source.spm``, ``target.spm``, ``vocab.json`` with ``<pad>`` as the last id,
``tokenizer_config.json``) matches Helsinki-NLP checkpoints with ``separate_vocabs: false``, so
``MarianTokenizer.from_pretrained(DIR)`` loads it. Ids: ``</s>`` = 0, ``<unk>`` = 1, pad = size.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from idtrans.errors import TrainingError

TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")


def train_sentencepiece(corpus: Path, model_prefix: Path, *, vocab_size: int, **options: Any) -> None:
    """Train a unigram SentencePiece model on ``corpus`` (one sentence a line) with MarianMT's ids.

    ``</s>`` = 0, ``<unk>`` = 1, no ``<s>`` and no pad piece (MarianTokenizer adds ``<pad>`` after the
    last id); ``vocab_size`` is a soft limit. Writes ``MODEL_PREFIX.model`` and ``.vocab``; ``options``
    go to ``SentencePieceTrainer.train`` as they are (default: 2 threads, quiet).
    """
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(model_prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        pad_id=-1,
        eos_id=0,
        unk_id=1,
        bos_id=-1,
        **{"num_threads": 2, "minloglevel": 2, **options},
    )


def train_vocab(
    directory: Path,
    source: Sequence[str],
    target: Sequence[str],
    *,
    vocab_size: int,
    max_positions: int,
    seed: int = 0,
    max_sentences: int = 400_000,
    user_symbols: Sequence[str] = (),
    languages: tuple[str, str] = ("id", "en"),
) -> dict[str, int]:
    """Train a unigram SentencePiece model on both sides and write the tokenizer files to ``directory``.

    ``user_symbols`` (domain tags such as ``<rel>``) become single pieces that are never split;
    ``languages`` (source, target) are recorded in ``tokenizer_config.json``.
    """
    import sentencepiece as spm

    directory.mkdir(parents=True, exist_ok=True)
    lines = [line for line in (*source, *target) if line]
    if len(lines) > max_sentences:
        lines = random.Random(seed).sample(lines, max_sentences)
    if not lines:
        raise TrainingError("no training sentences to build a vocabulary from", hint="check the training data")
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "corpus.txt"
        text.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            train_sentencepiece(
                text,
                Path(tmp) / "spm",
                vocab_size=vocab_size,
                input_sentence_size=max_sentences,
                shuffle_input_sentence=False,
                user_defined_symbols=list(user_symbols),
            )
        except RuntimeError as error:
            raise TrainingError(
                f"SentencePiece could not train a vocabulary: {error}",
                hint="use more training text or a smaller preset vocabulary",
            ) from None
        model_bytes = (Path(tmp) / "spm.model").read_bytes()
    for side in ("source", "target"):
        (directory / f"{side}.spm").write_bytes(model_bytes)
    sp = spm.SentencePieceProcessor(model_file=str(directory / "source.spm"))
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    vocab["<pad>"] = len(vocab)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8")
    (directory / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "MarianTokenizer",
                "source_lang": languages[0],
                "target_lang": languages[1],
                "model_max_length": max_positions,
                "separate_vocabs": False,
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "pad_token": "<pad>",
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return vocab
