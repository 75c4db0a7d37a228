"""Tokenised training data and token-budget batches."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from idtrans.pipeline.layers.batching import plan_batches
from idtrans.training.mix import TAG_PATTERN

if TYPE_CHECKING:
    import torch


@dataclass
class Example:
    source: list[int]
    target: list[int]


def tokenize_pairs(
    tokenizer: Any, source: Sequence[str], target: Sequence[str], *, max_tokens: int, chunk: int = 2000
) -> tuple[list[Example], int]:
    """Token ids of each pair (each side ending in ``</s>``); pairs longer than ``max_tokens`` are dropped.

    Returns the examples and how many were dropped for length.
    """
    examples: list[Example] = []
    dropped = 0
    for start in range(0, len(source), chunk):
        enc = tokenizer(
            list(source[start : start + chunk]), text_target=list(target[start : start + chunk]), truncation=False
        )
        for src, tgt in zip(enc["input_ids"], enc["labels"]):
            if len(src) > max_tokens or len(tgt) > max_tokens:
                dropped += 1
                continue
            examples.append(Example(src, tgt))
    return examples, dropped


def reverse_pairs(source: Sequence[str], target: Sequence[str]) -> tuple[list[str], list[str]]:
    """Indonesian/English pairs turned English/Indonesian, for a back-translation model.

    A domain tag stays on the source side: ``<rel> Pada mulanya`` / ``In the beginning`` becomes
    ``<rel> In the beginning`` / ``Pada mulanya``.
    """
    english: list[str] = []
    indonesian: list[str] = []
    for src, tgt in zip(source, target, strict=True):
        match = TAG_PATTERN.match(src)
        tag = match.group() if match else ""
        english.append(tag + tgt)
        indonesian.append(src[len(tag) :])
    return english, indonesian


def make_batches(examples: Sequence[Example], batch_tokens: int, seed: int) -> list[list[int]]:
    """Index batches of similar-length pairs whose padded size stays within ``batch_tokens``.

    Pairs are shuffled, then sorted by length (ties keep the shuffled order), cut into batches
    where ``count * longest side`` <= ``batch_tokens``, and the batches are shuffled. The same
    ``seed`` always gives the same batches.
    """
    rng = random.Random(seed)
    order = list(range(len(examples)))
    rng.shuffle(order)
    order.sort(key=lambda i: (len(examples[i].source), len(examples[i].target)))
    sizes = [max(len(example.source), len(example.target)) for example in examples]
    batches = plan_batches(sizes, budget=batch_tokens, max_sentences=max(1, len(examples)), order=order)
    rng.shuffle(batches)
    return batches


def collate(
    examples: Sequence[Example], indices: Sequence[int], pad_id: int, decoder_start_id: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Padded tensors: input_ids, attention_mask, decoder_input_ids, labels (-100 on padding)."""
    import torch

    batch = [examples[i] for i in indices]
    src_len = max(len(e.source) for e in batch)
    tgt_len = max(len(e.target) for e in batch)
    n = len(batch)
    input_ids = torch.full((n, src_len), pad_id, dtype=torch.long)
    attention = torch.zeros((n, src_len), dtype=torch.long)
    labels = torch.full((n, tgt_len), -100, dtype=torch.long)
    decoder_in = torch.full((n, tgt_len), pad_id, dtype=torch.long)
    for row, e in enumerate(batch):
        input_ids[row, : len(e.source)] = torch.tensor(e.source)
        attention[row, : len(e.source)] = 1
        labels[row, : len(e.target)] = torch.tensor(e.target)
        decoder_in[row, 0] = decoder_start_id
        decoder_in[row, 1 : len(e.target)] = torch.tensor(e.target[:-1])
    return input_ids, attention, decoder_in, labels
