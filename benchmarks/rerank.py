#!/usr/bin/env python
"""What reranking with the reverse model costs and buys: the translator with and without it, side by side.

For each test set, the model's CTranslate2 copy (``--threads``) translates every line under
:class:`~idtrans.pipeline.layers.sentences.SentenceTranslator` (beam 4, no glossary, the default word
rounds) twice in one process: as decoded (``--no-rerank``), then reranked
(:class:`~idtrans.pipeline.layers.rerank.RerankingBackend`, the model's ``rerank.json`` unless
``--reverse``/``--weight``/``--hypotheses`` say otherwise). The table shows the seconds of
``translate()``, their ratio to the plain run, BLEU and chrF++ against the references, and how many
outputs hold a word that is not English. A busy machine inflates the seconds of both alike only if it
stays busy: run it on an idle machine.

Usage (from the repository root; about four minutes on 2 cores)::

    .venv/bin/python benchmarks/rerank.py --model pipeline/default_model --threads 2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
SETS = {"dev": CORPORA / "dev", "flores200-devtest": CORPORA / "test" / "flores200-devtest"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "pipeline" / "default_model"))
    parser.add_argument("--reverse", default=None, help="reverse model directory (default: the model's rerank.json)")
    parser.add_argument("--weight", type=float, default=None)
    parser.add_argument("--hypotheses", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of: {', '.join(SETS)}")
    parser.add_argument("--lines", type=int, default=None, help="only the first N lines of each set")
    args = parser.parse_args()

    import sacrebleu

    from idtrans.glossary.invented import counterparts, unknown_words
    from idtrans.pipeline.backends.ct2_backend import load_ct2_backend
    from idtrans.pipeline.layers.rerank import RerankingBackend, RerankSpec, read_rerank_spec
    from idtrans.pipeline.layers.sentences import SentenceTranslator
    from idtrans.pipeline.layers.translator import DecodeSettings

    declared = read_rerank_spec(Path(args.model))
    reverse = Path(args.reverse) if args.reverse else (declared.reverse if declared else None)
    if reverse is None:
        parser.error("the model has no rerank.json: pass --reverse, --weight and --hypotheses")
    spec = RerankSpec(
        reverse,
        args.weight if args.weight is not None else (declared.weight if declared else 0.3),
        args.hypotheses or (declared.hypotheses if declared else 8),
    )
    backend = load_ct2_backend(args.model, threads=args.threads)
    backends = {
        "decoded": backend,
        spec.describe(): RerankingBackend(backend, load_ct2_backend(spec.reverse, threads=args.threads), spec),
    }
    for loaded in backends.values():  # loads the models
        SentenceTranslator(loaded, DecodeSettings(beams=4)).translate(["Halo dunia."])
    print(f"model {backend.identity}, reverse {spec.reverse}, beam 4, no glossary, default word rounds")
    print(f"{'set':<18} {'run':<16} {'seconds':>8} {'ratio':>6} {'BLEU':>6} {'chrF++':>7} {'lines not English':>17}")
    for name in args.sets.split(","):
        prefix = SETS[name]
        sources = prefix.with_suffix(".id").read_text(encoding="utf-8").splitlines()[: args.lines]
        references = prefix.with_suffix(".en").read_text(encoding="utf-8").splitlines()[: args.lines]
        base: float | None = None
        for label, loaded in backends.items():
            translator = SentenceTranslator(loaded, DecodeSettings(beams=4))
            started = time.perf_counter()
            outputs = [t.text for t in translator.translate(sources)]
            seconds = time.perf_counter() - started
            base = seconds if base is None else base
            bleu = sacrebleu.corpus_bleu(outputs, [references]).score
            chrf = sacrebleu.corpus_chrf(outputs, [references], word_order=2).score
            flagged = sum(1 for s, o in zip(sources, outputs) if unknown_words(o, counterparts(s)))
            print(
                f"{name:<18} {label:<16} {seconds:>8.1f} {seconds / base:>6.2f} {bleu:6.2f} {chrf:>7.2f} {flagged:>17}",
                flush=True,
            )


if __name__ == "__main__":
    main()
