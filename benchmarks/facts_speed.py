#!/usr/bin/env python
"""The glossary/facts path against the plain path, in two checkouts side by side.

Each configuration runs in its own process with the checkout's own interpreter (``--before``:
another worktree's venv python, e.g. the commit before the fact layer), builds the translator
stack with the CTranslate2 backend (the bundled model's converted copy, ``--threads``), and times
``translate()`` alone on the same fixed sample of ``../shared/corpora/dev.id`` (``--sentences``,
seed 2024, like ``speed.py``), with the checkout's bundled glossary or without one. The configurations are
interleaved round by round (``--rounds``) so that a busy machine's load falls on all of them
alike; the table shows the median seconds and the ratio to the same checkout's plain path and to
``before``'s glossary path.

Usage (from the repository root; a few minutes on 2 busy cores)::

    git worktree add /work/wt-before <commit> && (cd /work/wt-before && python3 -m venv .venv \\
        && .venv/bin/pip install -q torch==2.13.0 -e .)
    .venv/bin/python benchmarks/facts_speed.py --before /work/wt-before/.venv/bin/python --sentences 300
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def worker(args: argparse.Namespace) -> None:
    """One timed translation in this interpreter's idtrans (either layout of the package)."""
    glossary: object
    try:
        from idtrans.pipeline.layers.factory import build_stack
        from idtrans.pipeline.layers.translator import DecodeSettings
        from idtrans.settings import DEFAULT_GLOSSARY

        glossary = DEFAULT_GLOSSARY if args.glossary else None
    except ImportError:  # the layout before pipeline/ was grouped: None meant the default glossary
        from idtrans.pipeline.factory import build_stack  # type: ignore[no-redef]
        from idtrans.pipeline.translator import DecodeSettings  # type: ignore[no-redef]

        glossary = bool(args.glossary)

    lines = Path(args.input).read_text(encoding="utf-8").splitlines()
    stack = build_stack(
        args.model,
        settings=DecodeSettings(beams=4),
        glossary=glossary,  # type: ignore[arg-type]
        backend="ct2",
        threads=args.threads,
        cache=False,
        notice=lambda _message: None,
    )
    stack.translator.translate(lines[:8])  # warm-up: the model loads on first use
    started = time.perf_counter()
    outputs = stack.translator.translate(lines)
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "outputs": [t.text for t in outputs]}
    Path(args.output).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="python of the checkout to compare against (required)")
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--model", default=str(REPO / "pipeline" / "default_model"))
    parser.add_argument("--corpus-dir", type=Path, default=SHARED / "corpora")
    parser.add_argument("--work", type=Path, default=Path("/tmp/idtrans-facts-speed"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--glossary", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if not args.before:
        parser.error("--before is required")
    args.work.mkdir(parents=True, exist_ok=True)
    sources = (args.corpus_dir / "dev.id").read_text(encoding="utf-8").splitlines()
    picked = sorted(random.Random(args.seed).sample(range(len(sources)), args.sentences))
    sample = args.work / "sample.id"
    sample.write_text("\n".join(sources[i] for i in picked) + "\n", encoding="utf-8")
    configs = {
        "before, no glossary": (args.before, False),
        "after, no glossary": (sys.executable, False),
        "before, glossary": (args.before, True),
        "after, glossary": (sys.executable, True),
    }
    times: dict[str, list[float]] = {name: [] for name in configs}
    for round_number in range(args.rounds):
        for name, (python, glossary) in configs.items():
            output = args.work / f"{name.replace(', ', '-').replace(' ', '_')}.json"
            command = [python, __file__, "--worker", "--input", str(sample), "--output", str(output)]
            command += ["--model", args.model, "--threads", str(args.threads)]
            command += ["--glossary"] if glossary else []
            subprocess.run(command, check=True)
            times[name].append(json.loads(output.read_text(encoding="utf-8"))["seconds"])
            print(f"round {round_number + 1} {name}: {times[name][-1]:.2f} s", file=sys.stderr, flush=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.sentences} dev sentences, CTranslate2, {args.threads} threads, median of {args.rounds} rounds")
    print("| configuration | median s | all rounds s | × same checkout's plain | × before |")
    print("|---|---:|---:|---:|---:|")
    for name, median in medians.items():
        checkout, _, kind = name.partition(", ")
        plain = medians[f"{checkout}, no glossary"]
        before = medians[f"before, {kind}"]
        rounds = " / ".join(f"{v:.2f}" for v in times[name])
        print(f"| {name} | {median:.2f} | {rounds} | {median / plain:.2f} | {median / before:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"times": times, "medians": medians}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
