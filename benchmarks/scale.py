#!/usr/bin/env python
"""Engines compared: ``--engine local`` against ``--engine ray`` with 1 and 2 actors (issue 16).

Builds N articles (default 200) from ``../shared/corpora/dev.id`` (a title and two paragraphs of
sentences each, in file order), then runs ``idtrans translate DIR -o OUT`` for each engine as its
own process, with the bundled model (``pipeline/default_model``), the ct2 backend, beam 4, no
cache, one thread per replica. Wall time includes start-up (Ray's embedded cluster, model loads).
Every run's output is checked to be byte-identical to the local engine's.

    .venv/bin/python benchmarks/scale.py [--articles 200] [--work /tmp/idtrans-scale-bench]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpora" / "dev.id"


def build_articles(directory: Path, count: int, *, per_article: int = 6) -> int:
    lines = [line.strip() for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        chunk = [lines[(number * per_article + i) % len(lines)] for i in range(per_article)]
        title, body = chunk[0].rstrip("."), chunk[1:]
        half = len(body) // 2
        text = f"{title}\n\n{' '.join(body[:half])}\n\n{' '.join(body[half:])}\n"
        (directory / f"article-{number:04d}.txt").write_text(text, encoding="utf-8")
    return count * per_article


def run(source: Path, output: Path, extra: list[str]) -> float:
    shutil.rmtree(output, ignore_errors=True)
    command = [
        str(Path(sys.executable).parent / "idtrans"),
        "translate",
        str(source),
        "-o",
        str(output),
        "--model",
        str(ROOT / "pipeline" / "default_model"),
        "--backend",
        "ct2",
        "--no-cache",
        "--no-glossary",
        "-q",
        *extra,
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.en.txt"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--work", type=Path, default=Path("/tmp/idtrans-scale-bench"))
    args = parser.parse_args()
    source = args.work / "articles"
    shutil.rmtree(source, ignore_errors=True)
    sentences = build_articles(source, args.articles)
    configurations = [
        ("local (1 thread)", ["--engine", "local", "--threads", "1"]),
        ("ray, 1 actor x 1 thread", ["--engine", "ray", "--actors", "1", "--threads-per-actor", "1"]),
        ("ray, 2 actors x 1 thread", ["--engine", "ray", "--actors", "2", "--threads-per-actor", "1"]),
    ]
    reference: dict[str, bytes] | None = None
    print(f"{args.articles} articles, {sentences} sentences")
    print("| engine | wall s | articles/s | identical to local |")
    print("|---|---:|---:|---|")
    for index, (name, extra) in enumerate(configurations):
        output = args.work / f"out-{index}"
        seconds = run(source, output, extra)
        files = tree(output)
        reference = files if reference is None else reference
        print(f"| {name} | {seconds:.1f} | {args.articles / seconds:.2f} | {files == reference} |", flush=True)


if __name__ == "__main__":
    main()
