"""Evaluation: sacrebleu scores, terminology accuracy, test-set runs, significance and the CI gate.

- :mod:`idtrans.eval.lines`: line-aligned files read exactly as sacrebleu's CLI reads them, with
  one clear error (file:line) for missing, empty, non-UTF-8 or misaligned input;
- :mod:`idtrans.eval.score`: BLEU / chrF++ / TER through sacrebleu (same numbers and signatures as
  ``sacrebleu REF -i HYP -m bleu chrf ter --chrf-word-order 2``) and :class:`TermSuccess`;
- :mod:`idtrans.eval.significance`: paired bootstrap / approximate randomisation (sacrebleu's code);
- :mod:`idtrans.eval.run`: named test sets, translation, the run folder;
- :mod:`idtrans.eval.report`: the self-contained HTML report;
- :mod:`idtrans.eval.gate`: committed baselines and the regression gate.
"""
