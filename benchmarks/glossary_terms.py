"""Measure glossary enforcement: term success rate and chrF++ / BLEU with and without the glossary.

On the sentences of the dev and test corpora whose Indonesian source contains a glossary entry:

- ``plain``: the model alone (no glossary);
- one row per protection strategy alone (protect → translate → restore, no repair);
- ``enforced``: the full :class:`~idtrans.pipeline.layers.enforce.GlossaryTranslator`
  (first strategy, the next for failures, then safe substitution, then translating around
  the missing terms).

Term success is WMT21-style exact match: the share of (sentence, entry) pairs whose rendering
appears in the output (``strict``: the rendering itself; ``lenient``: an entry's ``also`` form,
e.g. the adjective ``Russian`` for ``Russia``, counts too). chrF++ is sacreBLEU's CHRF with
word n-grams of order 2; BLEU is sacreBLEU's default 13a BLEU.

Usage (from the repository root; ../shared holds the corpora and the stand-in model)::

    /work/venv/bin/python benchmarks/glossary_terms.py --limit 300 --threads 1 --json runs/glossary_terms.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_CORPORA = [SHARED / "corpora" / "dev", SHARED / "corpora" / "test" / "flores200-devtest"]
DEFAULT_MODEL = SHARED / "models" / "standin-id-en"


def read_pairs(prefix: Path) -> list[tuple[str, str]]:
    sources = prefix.with_name(prefix.name + ".id").read_text(encoding="utf-8").splitlines()
    references = prefix.with_name(prefix.name + ".en").read_text(encoding="utf-8").splitlines()
    if len(sources) != len(references):
        raise SystemExit(f"{prefix}: {len(sources)} source lines but {len(references)} reference lines")
    return list(zip(sources, references))


def score(glossary, sources, hypotheses, references) -> dict:
    import sacrebleu

    from idtrans.glossary.check import term_success

    lenient = term_success(glossary, sources, hypotheses)
    strict = term_success(glossary, sources, hypotheses, strict=True)
    return {
        "terms": lenient.matched,
        "term_success": round(100 * lenient.rate, 2),
        "term_success_strict": round(100 * strict.rate, 2),
        "forbidden": lenient.forbidden,
        "chrf++": round(sacrebleu.corpus_chrf(hypotheses, [references], word_order=2).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(hypotheses, [references]).score, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="MarianMT model directory")
    parser.add_argument("--glossary", default=None, help="glossary YAML [default: the bundled starter]")
    parser.add_argument(
        "--corpus",
        action="append",
        default=None,
        help="corpus prefix (PREFIX.id / PREFIX.en), repeatable [default: dev and FLORES devtest]",
    )
    parser.add_argument("--limit", type=int, default=0, help="use the first N matching sentences (0 = all)")
    parser.add_argument("--beams", type=int, default=4, help="beam size")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--strategies", default="inline,proxy,token", help="protection strategies to compare alone")
    parser.add_argument("--enforce", default="proxy", help="strategy order of the enforced run")
    parser.add_argument("--json", default=None, help="write the results (and per-sentence outputs) here")
    args = parser.parse_args(argv)

    from idtrans.glossary import default_glossary_path, load_glossary
    from idtrans.glossary.protect import protect, restore
    from idtrans.pipeline.layers.enforce import GlossaryTranslator
    from idtrans.pipeline.layers.factory import build_translator
    from idtrans.pipeline.layers.translator import DecodeSettings

    glossary = load_glossary(args.glossary or default_glossary_path())
    pairs = []
    for prefix in args.corpus or DEFAULT_CORPORA:
        pairs += [p for p in read_pairs(Path(prefix)) if glossary.match(p[0])]
    if args.limit:
        pairs = pairs[: args.limit]
    sources = [s for s, _ in pairs]
    references = [r for _, r in pairs]
    print(f"{len(sources)} sentences with glossary terms ({glossary.name}, {len(glossary)} entries)", file=sys.stderr)

    inner = build_translator(
        args.model, settings=DecodeSettings(beams=args.beams), glossary=None, backend="torch", threads=args.threads
    )
    rows: dict[str, dict] = {}
    outputs: dict[str, list[str]] = {}

    def run(name, translate):
        started = time.perf_counter()
        hypotheses = translate()
        rows[name] = score(glossary, sources, hypotheses, references)
        rows[name]["seconds"] = round(time.perf_counter() - started, 1)
        outputs[name] = hypotheses
        print(f"{name:>10}: {rows[name]}", file=sys.stderr)

    run("plain", lambda: [t.text for t in inner.translate(sources)])
    for strategy in [s for s in args.strategies.split(",") if s]:

        def alone(strategy=strategy):
            protected = [protect(s, glossary.match(s), strategy) for s in sources]
            translated = inner.translate([p.text for p in protected])
            return [restore(t.text, p).text for t, p in zip(translated, protected)]

        run(strategy, alone)
    enforcer = GlossaryTranslator(inner, glossary, strategies=[s for s in args.enforce.split(",") if s])
    repairs: Counter = Counter()

    def enforced():
        translations = enforcer.translate(sources)
        for translation in translations:
            for record in translation.info.get("glossary", []):
                if record["status"] != "applied":
                    repairs[f"{record['status']} by {record.get('strategy', '?')}"] += 1
        return [t.text for t in translations]

    run("enforced", enforced)
    rows["enforced"]["statuses"] = enforcer.summary()
    rows["enforced"]["repairs"] = dict(repairs.most_common())

    print("\n| run | terms | term success | strict | forbidden | chrF++ | BLEU | seconds |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, row in rows.items():
        print(
            f"| {name} | {row['terms']} | {row['term_success']:.2f} | {row['term_success_strict']:.2f} | "
            f"{row['forbidden']} | {row['chrf++']:.2f} | {row['bleu']:.2f} | {row['seconds']} |"
        )
    print(f"\nenforced statuses: {rows['enforced']['statuses']}")
    print(f"repairs by step: {rows['enforced']['repairs']}")
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps(
                {
                    "model": args.model,
                    "glossary": glossary.name,
                    "fingerprint": glossary.fingerprint,
                    "sentences": len(sources),
                    "beams": args.beams,
                    "results": rows,
                    "outputs": {
                        name: [
                            {"source": s, "reference": r, "hypothesis": h} for s, r, h in zip(sources, references, hyps)
                        ]
                        for name, hyps in outputs.items()
                    },
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
