"""Measure reranking weights: BLEU and chrF++ of a model's reranked best-N on line-aligned sets, per weight.

    python -m idtrans.training.rerank_tune MODEL REVERSE dev=../shared/corpora/dev \\
        flores200-devtest=../shared/corpora/test/flores200-devtest --hypotheses 8 --weights 0,0.1,0.2,0.3,0.5

Each set is decoded once (the model's best N, beam N, on CTranslate2 int8, with the pipeline's model-text
rules: :mod:`idtrans.pipeline.layers.modeltext`) and each hypothesis scored once by the reverse model; each
weight then picks by :func:`~idtrans.pipeline.layers.rerank.best_index`, the rule the translator uses.
Weight 0 is the model's own first translation. The pipeline's other steps (unknown-word rounds,
glossary) are not run: measure the chosen weight with ``idtrans eval run`` afterwards.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from idtrans.errors import IdtransError
from idtrans.eval.lines import check_aligned, read_lines
from idtrans.pipeline.backends.ct2_backend import load_ct2_backend
from idtrans.pipeline.layers.modeltext import CaseRule, ModelText
from idtrans.pipeline.layers.rerank import MAX_HYPOTHESES, best_index, reverse_scores, unknown_counts
from idtrans.pipeline.layers.translator import DecodeSettings, Generation

#: Sentences per decoding call.
_DECODE_CHUNK = 64
#: The translator's default output-length rule.
_SETTINGS = DecodeSettings(unknown_word_rounds=0)


def tune(
    model: str | Path,
    reverse: str | Path,
    sets: dict[str, Path],
    *,
    hypotheses: int,
    weights: list[float],
    threads: int | None = None,
    max_new_tokens: int | None = None,
    penalties: list[float] | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Set name -> setting -> {"bleu", "chrf++"} of the reranked translations, for each weight and each
    unknown-word penalty (``penalties``, default none): setting ``0.2`` is weight 0.2, ``0.2-1u`` weight 0.2
    with penalty 1.

    ``max_new_tokens`` of ``None``: as the translator derives it (:class:`DecodeSettings`' length ratio times
    the longest input of a chunk, plus its slack, within the model's position limit).
    """
    import sacrebleu

    texts = {}  # every set read and checked before a model is loaded
    for name, prefix in sets.items():
        source_file = read_lines(f"{prefix}.id", role="source")
        reference_file = read_lines(f"{prefix}.en", role="reference")
        check_aligned(source_file, reference_file)
        texts[name] = (source_file.lines, reference_file.lines)
    forward = load_ct2_backend(model, threads=threads)
    scorer = load_ct2_backend(reverse, threads=threads)
    case = CaseRule(forward.count_tokens)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, (sources, references) in texts.items():
        given = [ModelText.of(source, case) for source in sources]
        lists = []
        for start in range(0, len(given), _DECODE_CHUNK):
            chunk = [g.text for g in given[start : start + _DECODE_CHUNK]]
            longest = max(forward.count_tokens(chunk))
            limit = max_new_tokens or min(
                forward.max_output_tokens, math.ceil(_SETTINGS.length_ratio * longest) + _SETTINGS.length_slack
            )
            lists += forward.generate_nbest(chunk, Generation(beams=hypotheses, max_new_tokens=limit), hypotheses)
        pairs = [(text, g.text) for g, found in zip(given, lists) for text, _ in found]
        reverse_flat = reverse_scores(scorer, pairs)
        results[name] = {}
        unknown = [unknown_counts(g.text, [text for text, _ in found], 1.0) for g, found in zip(given, lists)]
        for weight, penalty in [(w, p) for p in penalties or [0.0] for w in weights]:
            chosen, at = [], 0
            for g, found, counts in zip(given, lists, unknown):
                scaled = [penalty * count for count in counts]
                best = best_index([s for _, s in found], reverse_flat[at : at + len(found)], weight, scaled)
                chosen.append(g.output(found[best][0]))
                at += len(found)
            results[name][f"{weight:g}" + (f"-{penalty:g}u" if penalty else "")] = {
                "bleu": round(sacrebleu.corpus_bleu(chosen, [references]).score, 2),
                "chrf++": round(sacrebleu.corpus_chrf(chosen, [references], word_order=2).score, 2),
            }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the forward (Indonesian->English) model directory")
    parser.add_argument("reverse", help="the reverse (English->Indonesian) model directory")
    parser.add_argument("sets", nargs="+", help="NAME=PREFIX (PREFIX.id + PREFIX.en)")
    parser.add_argument("--hypotheses", type=int, default=8)
    parser.add_argument("--weights", default="0,0.1,0.2,0.3,0.5,0.7,1")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--penalties", default="0", help="unknown-word penalties to try, e.g. 0,0.5,1")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    sets = {}
    for item in args.sets:
        name, sep, prefix = item.partition("=")
        if not sep:
            parser.error(f"{item!r}: sets are NAME=PREFIX")
        sets[name] = Path(prefix)
    if not 1 <= args.hypotheses <= MAX_HYPOTHESES:
        parser.error(f"--hypotheses takes 1-{MAX_HYPOTHESES}")
    try:
        weights = [float(w) for w in args.weights.split(",")]
        penalties = [float(p) for p in args.penalties.split(",")]
    except ValueError:
        parser.error("--weights and --penalties take comma-separated numbers, e.g. 0,0.2,0.5")
    try:
        results = tune(
            args.model,
            args.reverse,
            sets,
            hypotheses=args.hypotheses,
            weights=weights,
            threads=args.threads,
            penalties=penalties,
        )
    except IdtransError as error:
        print(f"error: {error}" + (f"\nhint: {error.hint}" if error.hint else ""), file=sys.stderr)
        return 1
    for name, rows in results.items():
        for weight, scores in rows.items():
            print(f"{name}\t{weight}\tBLEU {scores['bleu']:.2f}\tchrF++ {scores['chrf++']:.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
