"""Translate an evaluation set with a MarianMT model and score it with sacreBLEU (BLEU and chrF++)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from idtrans.corpus.parallel import read_parallel
from idtrans.eval.score import score_corpus
from idtrans.pipeline.layers.batching import plan_batches


def translate_batch_sorted(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[str],
    *,
    beams: int = 1,
    batch_tokens: int = 4000,
    max_batch: int = 64,
) -> list[str]:
    """Translate ``sentences`` (sorted by length for batching, returned in input order)."""
    import torch

    ids = [
        tokenizer(s, truncation=True, max_length=min(tokenizer.model_max_length, 512))["input_ids"] for s in sentences
    ]
    order = sorted(range(len(sentences)), key=lambda i: len(ids[i]))
    lengths = [len(row) for row in ids]
    chunks = plan_batches(lengths, budget=batch_tokens, beams=max(beams, 1), max_sentences=max_batch, order=order)
    out: list[str] = [""] * len(sentences)
    pad = tokenizer.pad_token_id
    limit = model.config.max_position_embeddings
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for chunk in chunks:
            width = max(len(ids[i]) for i in chunk)
            input_ids = torch.full((len(chunk), width), pad, dtype=torch.long)
            mask = torch.zeros_like(input_ids)
            for row, i in enumerate(chunk):
                input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                mask[row, : len(ids[i])] = 1
            generated = model.generate(
                input_ids=input_ids,
                attention_mask=mask,
                num_beams=beams,
                do_sample=False,
                max_new_tokens=min(limit - 1, int(width * 1.5) + 10),
                early_stopping=beams > 1,
            )
            for row, text in zip(chunk, tokenizer.batch_decode(generated, skip_special_tokens=True)):
                out[row] = text
    if was_training:
        model.train()
    return out


def score(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Corpus BLEU and chrF++ as ``idtrans eval`` computes them (sacreBLEU defaults, chrF word order 2)."""
    scores = score_corpus(hypotheses, references, ("bleu", "chrf"))
    return {"bleu": round(scores["bleu"].score, 2), "chrf++": round(scores["chrf"].score, 2)}


def unknown_word_lines(sources: Sequence[str], hypotheses: Sequence[str]) -> int:
    """How many hypotheses hold a word that is not English (garbled or left untranslated), as review flags it."""
    from idtrans.glossary.invented import counterparts, unknown_words

    return sum(bool(unknown_words(hyp, counterparts(src))) for src, hyp in zip(sources, hypotheses))


def evaluate_model(
    model: Any, tokenizer: Any, source: Sequence[str], reference: Sequence[str], *, beams: int = 4
) -> tuple[dict[str, float], list[str]]:
    """Translate ``source`` and score it against ``reference``."""
    hyps = translate_batch_sorted(model, tokenizer, source, beams=beams)
    return score(hyps, reference), hyps


def evaluate_directory(
    model_dir: str,
    sets: dict[str, str],
    *,
    beams: int = 4,
    lines: int | None = None,
    threads: int = 2,
    hyp_dir: str | None = None,
) -> dict[str, dict]:
    """Score a MarianMT directory on named line-aligned sets (name -> prefix) with beam search."""
    import time
    from pathlib import Path

    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.set_num_threads(threads)
    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir, dtype=torch.float32)
    results: dict[str, dict] = {}
    for name, prefix in sets.items():
        corpus = read_parallel(prefix)
        src, ref = corpus.source[:lines] if lines else corpus.source, corpus.target[:lines] if lines else corpus.target
        t0 = time.time()
        result, hyps = evaluate_model(model, tokenizer, src, ref, beams=beams)
        seconds = round(time.time() - t0, 1)
        results[name] = {**result, "unknown_word_lines": unknown_word_lines(src, hyps)}
        results[name].update(lines=len(src), beams=beams, seconds=seconds)
        if hyp_dir:
            Path(hyp_dir).mkdir(parents=True, exist_ok=True)
            (Path(hyp_dir) / f"{name}.hyp.en").write_text("\n".join(hyps) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":  # python -m idtrans.training.evaluate MODEL_DIR NAME=PREFIX ... [--beams 4] [--lines N]
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Score a MarianMT directory (BLEU, chrF++) on line-aligned sets.")
    parser.add_argument("model")
    parser.add_argument("sets", nargs="+", help="NAME=PREFIX (PREFIX.id + PREFIX.en)")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--lines", type=int, default=None, help="only the first N lines of each set")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hyp-dir", default=None, help="write NAME.hyp.en here")
    args = parser.parse_args()
    named = dict(item.split("=", 1) for item in args.sets)
    print(
        json.dumps(
            evaluate_directory(
                args.model, named, beams=args.beams, lines=args.lines, threads=args.threads, hyp_dir=args.hyp_dir
            ),
            indent=1,
        )
    )
