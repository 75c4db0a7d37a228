#!/usr/bin/env python
"""What decoding again the outputs with words that are not English costs and buys, per ``--word-rounds``.

For each test set, the model's CTranslate2 copy (``--threads``) translates every line under
:class:`~idtrans.pipeline.layers.sentences.SentenceTranslator` (beam 4, no glossary) once per number
of rounds, side by side in one process: 0 (never decode again) first, then each other setting. The
table shows the seconds of ``translate()``, their ratio to 0 rounds, BLEU and chrF++ against the
references, and how many outputs still hold a word that is not English
(:func:`idtrans.glossary.invented.unknown_words`; the human references have 27 on dev, 35 on
FLORES-200 devtest). A busy machine inflates the seconds of every setting alike only if it stays
busy: run it on an idle machine, or pause other jobs (``kill -STOP``) while it runs.

Usage (from the repository root; about two minutes on 2 cores)::

    .venv/bin/python benchmarks/word_rounds.py --model pipeline/default_model --threads 2
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
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", default="0,1,2,3", help="comma-separated settings of --word-rounds")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of: {', '.join(SETS)}")
    args = parser.parse_args()

    import sacrebleu

    from idtrans.glossary.invented import counterparts, unknown_words
    from idtrans.pipeline.backends.ct2_backend import load_ct2_backend
    from idtrans.pipeline.layers.sentences import SentenceTranslator
    from idtrans.pipeline.layers.translator import DecodeSettings

    rounds = [int(value) for value in args.rounds.split(",")]
    backend = load_ct2_backend(args.model, threads=args.threads)
    SentenceTranslator(backend, DecodeSettings(beams=4)).translate(["Halo dunia."])  # loads the model
    print(f"model {backend.identity}, beam 4, no glossary")
    print(f"{'set':<18} {'rounds':>6} {'seconds':>8} {'ratio':>6} {'BLEU':>6} {'chrF++':>7} {'lines not English':>18}")
    for name in args.sets.split(","):
        prefix = SETS[name]
        sources = prefix.with_suffix(".id").read_text(encoding="utf-8").splitlines()
        references = prefix.with_suffix(".en").read_text(encoding="utf-8").splitlines()
        base: float | None = None
        for count in rounds:
            translator = SentenceTranslator(backend, DecodeSettings(beams=4, unknown_word_rounds=count))
            started = time.perf_counter()
            outputs = [t.text for t in translator.translate(sources)]
            seconds = time.perf_counter() - started
            base = seconds if base is None else base
            bleu = sacrebleu.corpus_bleu(outputs, [references]).score
            chrf = sacrebleu.corpus_chrf(outputs, [references], word_order=2).score
            flagged = sum(1 for s, o in zip(sources, outputs) if unknown_words(o, counterparts(s)))
            print(
                f"{name:<18} {count:>6} {seconds:>8.1f} {seconds / base:>6.2f} {bleu:>6.2f} {chrf:>7.2f} {flagged:>18}",
                flush=True,
            )


if __name__ == "__main__":
    main()
