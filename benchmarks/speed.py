#!/usr/bin/env python
"""CPU translation speed: plain transformers against idtrans' torch and CTranslate2 paths.

One run, the same sentences (a fixed sample of ``../shared/corpora/dev.id``, references
``dev.en``), each configuration in its own process so its peak RSS is its own (``os.wait4``
rusage of that child) and its whole-process time includes start-up:

1. ``hf``         plain transformers: ``MarianMTModel.generate``, batches of 32 in file order,
                  beam 4, float32 (the method of CTranslate2's published OPUS-MT baseline);
2. ``torch``      idtrans' torch backend under SentenceTranslator (length-sorted token-budget batches);
3. ``ct2-f32``    CTranslate2 float32 under SentenceTranslator;
4. ``ct2-int8``   CTranslate2 int8 under SentenceTranslator, writing a fresh sentence cache;
5. ``cached``     configuration 4 run again as a new process: every sentence from the cache.

Two models: the small real MarianMT in ``../shared/models/standin-id-en``, and a model with the
exact architecture of ``Helsinki-NLP/opus-mt-id-en`` (d_model 512, 6+6 layers, 8 heads, FFN
2048, vocabulary 54,796, swish) with random weights, built here once into the work directory
with SentencePiece vocabularies trained on ``../shared/corpora/train.{id,en}`` (source and target
models as OPUS-MT has them, joined into one vocab.json padded to 54,796 entries). Random
weights never choose ``</s>``, so on that model every configuration decodes exactly
``--random-length`` tokens per sentence (default: the mean reference length in target tokens)
and the repetition retry is switched off (all random output looks degenerate): the numbers
are pure decoding speed at the real size; its BLEU is meaningless and not shown.

Target tokens are counted the same way for every configuration: the output re-encoded with
the model's target SentencePiece model, plus ``</s>``.

Also checked: re-translating an article with one edited paragraph misses the cache only for
that paragraph's changed sentences; and how long ``idtrans --help`` takes.

Usage (from the repository root; about 15-30 minutes on 2 busy cores):

    /work/venv/bin/python benchmarks/speed.py --threads 2 --json benchmarks/results.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CONFIGS = ("hf", "torch", "ct2-f32", "ct2-int8", "cached")
LABELS = {
    "hf": "1 transformers, file order, bs 32",
    "torch": "2 idtrans torch, sorted batches",
    "ct2-f32": "3 CTranslate2 float32",
    "ct2-int8": "4 CTranslate2 int8 (+cache write)",
    "cached": "5 cached re-run of 4",
}
OPUS_VOCAB = 54796


# --------------------------------------------------------------------------------------------
# workers: each runs in its own process
# --------------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    lines = Path(args.input).read_text(encoding="utf-8").splitlines()
    result: dict = {"config": args.worker}
    if args.worker == "hf":
        result.update(_run_hf(args, lines))
    elif args.worker == "build-random":
        _build_random_model(Path(args.model_dir), Path(args.corpus_dir))
        return
    elif args.worker == "convert":
        from idtrans.pipeline.models.convert import convert_model

        for quantization in ("float32", "int8"):
            target = Path(args.work) / f"ct2-{quantization}"
            if not (target / "model.bin").is_file():
                convert_model(args.model_dir, target, quantization, force=True)
        return
    elif args.worker == "article-edit":
        result.update(_run_article_edit(args))
    else:
        result.update(_run_pipeline(args, lines))
    result["worker_seconds"] = time.perf_counter() - started
    Path(args.output).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def _run_hf(args, lines: list[str]) -> dict:
    """Configuration 1, written plainly: the published baseline's method."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    torch.set_num_threads(args.threads)
    load_started = time.perf_counter()
    tokenizer = MarianTokenizer.from_pretrained(args.model_dir)
    model = MarianMTModel.from_pretrained(args.model_dir).eval()
    load_seconds = time.perf_counter() - load_started
    # The checkpoint's own length limit (opus-mt ships max_length 512 = its positions), or the fixed
    # length of the random model.
    limit = args.max_new_tokens or model.config.max_position_embeddings
    outputs: list[str] = []
    started = time.perf_counter()
    for start in range(0, len(lines), 32):
        batch = tokenizer(lines[start : start + 32], return_tensors="pt", padding=True)
        with torch.inference_mode():
            generated = model.generate(**batch, num_beams=4, max_new_tokens=limit)
        outputs.extend(tokenizer.batch_decode(generated, skip_special_tokens=True))
    return {"outputs": outputs, "load_seconds": load_seconds, "translate_seconds": time.perf_counter() - started}


def _run_pipeline(args, lines: list[str]) -> dict:
    from idtrans.pipeline.layers.sentences import SentenceTranslator
    from idtrans.pipeline.layers.translator import DecodeSettings

    if args.no_retry:
        import idtrans.pipeline.layers.sentences as sentences_module

        sentences_module.is_degenerate = lambda source, translation: False
    load_started = time.perf_counter()
    if args.worker == "torch":
        from idtrans.pipeline.backends.load import load_backend

        backend = load_backend(args.model_dir, backend="torch", threads=args.threads)
    else:
        from idtrans.pipeline.backends.ct2_backend import CT2MarianBackend

        quantization = "float32" if args.worker == "ct2-f32" else "int8"
        backend = CT2MarianBackend(Path(args.work) / f"ct2-{quantization}", threads=args.threads)
    # Decoding speed alike with plain transformers: no decoding again of words that are not English
    # (its cost on the bundled model: benchmarks/word_rounds.py).
    settings = DecodeSettings(beams=4, max_new_tokens=args.max_new_tokens, unknown_word_rounds=0)
    translator = SentenceTranslator(backend, settings)
    cache = None
    if args.cache:
        from idtrans.pipeline.layers.cache import CachedTranslator

        translator = cache = CachedTranslator(translator, Path(args.cache))
    load_seconds = time.perf_counter() - load_started
    started = time.perf_counter()
    results = translator.translate(lines)
    seconds = time.perf_counter() - started
    model_loaded = getattr(backend, "loaded", True)
    return {
        "outputs": [r.text for r in results],
        "load_seconds": load_seconds,
        "translate_seconds": seconds,
        "retried": sum(bool(r.info.get("retried")) for r in results),
        "cache_hits": cache.hits if cache else None,
        "cache_misses": cache.misses if cache else None,
        "model_loaded": model_loaded,
        "identity": translator.identity,
    }


def _article_units(text: str) -> tuple[list[tuple[int, str]], str]:
    """(paragraph number, sentence) of an article, by idtrans' own segmenter when it is installed."""
    try:
        from idtrans.corpus.article import parse_article
    except ImportError:
        import re

        units = []
        for number, block in enumerate(b for b in text.split("\n\n") if b.strip()):
            units += [(number, s) for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\u201c\"])", block.strip()) if s]
        return units, "regex fallback (idtrans.corpus.article not installed)"
    article = parse_article(text, source="article")
    return [(paragraph, sentence) for kind, paragraph, _, sentence in article.units()], "idtrans.corpus.article"


def make_article(
    corpus_dir: Path, first_line: int = 100, paragraphs: int = 5, per_paragraph: int = 4
) -> tuple[str, str]:
    """A news article from consecutive dev.id lines (title + paragraphs), and a copy with paragraph 3 edited.

    The edit rewords one sentence and adds one, as an editor's correction would.
    """
    lines = (corpus_dir / "dev.id").read_text(encoding="utf-8").splitlines()[first_line:]
    title = lines[0].rstrip(".")
    body = [lines[1 + i * per_paragraph : 1 + (i + 1) * per_paragraph] for i in range(paragraphs)]
    original = "\n\n".join([title] + [" ".join(p) for p in body]) + "\n"
    edited_body = [list(p) for p in body]
    words = edited_body[2][1].split(" ")
    words.insert(min(2, len(words)), "juga")
    edited_body[2][1] = " ".join(words)
    edited_body[2].append("Pernyataan itu dikonfirmasi pada hari Selasa.")
    edited = "\n\n".join([title] + [" ".join(p) for p in edited_body]) + "\n"
    return original, edited


def _run_article_edit(args) -> dict:
    """Translate an article, edit one paragraph, translate again: count what misses the cache."""
    from idtrans.pipeline.backends.ct2_backend import CT2MarianBackend
    from idtrans.pipeline.layers.cache import CachedTranslator
    from idtrans.pipeline.layers.sentences import SentenceTranslator
    from idtrans.pipeline.layers.translator import DecodeSettings

    original, edited = make_article(Path(args.corpus_dir))
    units_before, segmenter = _article_units(original)
    units_after, _ = _article_units(edited)
    backend = CT2MarianBackend(Path(args.work) / "ct2-int8", threads=args.threads)
    translator = CachedTranslator(
        SentenceTranslator(backend, DecodeSettings(beams=4, unknown_word_rounds=0)), Path(args.cache)
    )
    translator.translate([s for _, s in units_before])
    first_misses = translator.misses
    translator.hits = translator.misses = 0
    translator.translate([s for _, s in units_after])
    missed = set(translator.last_misses)
    before = {s for _, s in units_before}
    changed = [s for _, s in units_after if s not in before]
    edited_paragraphs = sorted({p for p, s in units_after if s in set(changed)})
    return {
        "segmenter": segmenter,
        "paragraphs": len({p for p, _ in units_after}),
        "sentences_before": len(units_before),
        "sentences_after": len(units_after),
        "first_run_misses": first_misses,
        "second_run_misses": translator.misses,
        "second_run_hits": translator.hits,
        "changed_sentences": len(changed),
        "edited_paragraphs": edited_paragraphs,
        "missed_paragraphs": sorted({p for p, s in units_after if s in missed}),
        "edited_paragraph_sentences": sum(1 for p, _ in units_after if p in edited_paragraphs),
    }


# --------------------------------------------------------------------------------------------
# the random-weight model with OPUS-MT's architecture
# --------------------------------------------------------------------------------------------


def _build_random_model(directory: Path, corpus_dir: Path) -> None:
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    from idtrans.training.presets import PRESETS
    from idtrans.training.vocab import train_sentencepiece

    if (directory / "config.json").is_file():
        return
    work = directory.with_name(directory.name + ".building")
    work.mkdir(parents=True, exist_ok=True)
    for side, corpus in (("source", corpus_dir / "train.id"), ("target", corpus_dir / "train.en")):
        if not (work / f"{side}.model").is_file():
            train_sentencepiece(corpus, work / side, vocab_size=32000)
    vocab: dict[str, int] = {}
    for side in ("source", "target"):
        processor = spm.SentencePieceProcessor(model_file=str(work / f"{side}.model"))
        for index in range(processor.get_piece_size()):
            vocab.setdefault(processor.id_to_piece(index), len(vocab))
    pieces = len(vocab)
    filler = 0
    while len(vocab) < OPUS_VOCAB - 1:  # OPUS-MT's joint vocab is larger than this corpus supports
        vocab[f"<unused{filler}>"] = len(vocab)
        filler += 1
    vocab["<pad>"] = len(vocab)
    assert len(vocab) == OPUS_VOCAB and vocab["</s>"] == 0 and vocab["<unk>"] == 1
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    for side in ("source", "target"):
        (work / f"{side}.spm").write_bytes((work / f"{side}.model").read_bytes())
    (work / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "MarianTokenizer",
                "source_lang": "id",
                "target_lang": "en",
                "model_max_length": 512,
                "separate_vocabs": False,
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "pad_token": "<pad>",
            }
        ),
        encoding="utf-8",
    )
    pad = OPUS_VOCAB - 1
    config = MarianConfig(
        vocab_size=OPUS_VOCAB,
        decoder_vocab_size=OPUS_VOCAB,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        **PRESETS["base"].config_kwargs(),  # the shape of Helsinki-NLP/opus-mt-id-en
    )
    torch.manual_seed(0)
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=512,
        num_beams=6,
        pad_token_id=pad,
    )
    model.save_pretrained(work)
    for leftover in ("source.model", "source.vocab", "target.model", "target.vocab"):
        (work / leftover).unlink()
    (work / "README.txt").write_text(
        f"Random weights with the architecture of Helsinki-NLP/opus-mt-id-en, for speed measurements only.\n"
        f"{pieces} SentencePiece pieces from ../shared/corpora/train.{{id,en}}, padded to {OPUS_VOCAB}.\n",
        encoding="utf-8",
    )
    work.rename(directory)


# --------------------------------------------------------------------------------------------
# the parent: runs the workers, measures, scores, prints
# --------------------------------------------------------------------------------------------


def run_worker(config: str, args, model_dir: Path, work: Path, *, extra: list[str] = (), input_file: Path) -> dict:
    output = work / f"{config}.json"
    output.unlink(missing_ok=True)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        config,
        "--model-dir",
        str(model_dir),
        "--work",
        str(work),
        "--input",
        str(input_file),
        "--output",
        str(output),
        "--threads",
        str(args.threads),
        "--corpus-dir",
        str(args.corpus_dir),
        *extra,
    ]
    env = dict(os.environ, PYTHONWARNINGS="ignore", TOKENIZERS_PARALLELISM="false")
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"worker {config} on {model_dir} failed with exit code {process.returncode}")
    result = json.loads(output.read_text(encoding="utf-8")) if output.is_file() else {}
    result["process_seconds"] = wall
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def target_tokens(model_dir: Path, outputs: list[str]) -> int:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
    return sum(len(processor.encode(text)) + 1 for text in outputs)


def score(outputs: list[str], references: list[str]) -> tuple[float, float]:
    import sacrebleu

    bleu = sacrebleu.corpus_bleu(outputs, [references]).score
    chrf = sacrebleu.corpus_chrf(outputs, [references], word_order=2).score
    return bleu, chrf


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def help_seconds(runs: int = 5) -> float:
    idtrans = Path(sys.executable).with_name("idtrans")
    command = [str(idtrans), "--help"] if idtrans.exists() else [sys.executable, "-m", "idtrans.cli", "--help"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def benchmark_model(
    name: str, model_dir: Path, args, sample_id: Path, references: list[str], random_weights: bool
) -> dict:
    work = args.work_dir / name
    work.mkdir(parents=True, exist_ok=True)
    print(f"\n== {name}: {model_dir}", flush=True)
    started = time.perf_counter()
    run_worker("convert", args, model_dir, work, input_file=sample_id)
    print(f"   converted copies ready in {time.perf_counter() - started:.1f} s (float32, int8)", flush=True)
    extra: list[str] = []
    if random_weights:
        extra += ["--max-new-tokens", str(args.random_length), "--no-retry"]
    cache_file = work / "sentences.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(cache_file) + suffix).unlink(missing_ok=True)
    results: dict[str, dict] = {}
    for config in CONFIGS:
        options = list(extra)
        worker_name = config
        if config in ("ct2-int8", "cached"):
            options += ["--cache", str(cache_file)]
            worker_name = "ct2-int8"
        load_before = load_average()
        result = run_worker(worker_name, args, model_dir, work, extra=options, input_file=sample_id)
        result["load_before"], result["load_after"] = load_before, load_average()
        outputs = result["outputs"]
        assert len(outputs) == len(references), "one output per sentence"
        result["target_tokens"] = target_tokens(model_dir, outputs)
        result["sentences_per_second"] = len(outputs) / result["translate_seconds"]
        result["tokens_per_second"] = result["target_tokens"] / result["translate_seconds"]
        if not random_weights:
            result["bleu"], result["chrf"] = score(outputs, references)
        results[config] = result
        print(
            f"   {LABELS[config]:<36} {result['translate_seconds']:8.2f} s translating, "
            f"{result['process_seconds']:7.2f} s process, {result['peak_rss_mb']:7.0f} MB, load {load_before}",
            flush=True,
        )
    same = sum(a == b for a, b in zip(results["ct2-int8"]["outputs"], results["cached"]["outputs"]))
    results["cached"]["identical_to_first_run"] = same
    results["ct2-f32"]["identical_to_torch"] = sum(
        a == b for a, b in zip(results["ct2-f32"]["outputs"], results["torch"]["outputs"])
    )
    results["ct2-int8"]["identical_to_f32"] = sum(
        a == b for a, b in zip(results["ct2-int8"]["outputs"], results["ct2-f32"]["outputs"])
    )
    results["torch"]["identical_to_hf"] = sum(
        a == b for a, b in zip(results["torch"]["outputs"], results["hf"]["outputs"])
    )
    for result in results.values():
        result.pop("outputs", None)
    return {"model": str(model_dir), "random_weights": random_weights, "configs": results, "sentences": len(references)}


def print_table(name: str, data: dict) -> list[str]:
    results = data["configs"]
    base = results["hf"]
    random_weights = data["random_weights"]
    header = (
        "| configuration | sent/s | tgt tok/s | × tok/s | peak RSS MB | × RSS | BLEU | chrF++ "
        "| translate s | process s |"
    )
    lines = [
        f"**{name}**" + (" (random weights: speed only)" if random_weights else ""),
        "",
        header,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config in CONFIGS:
        r = results[config]
        bleu = "–" if random_weights else f"{r['bleu']:.2f}"
        chrf = "–" if random_weights else f"{r['chrf']:.2f}"
        lines.append(
            f"| {LABELS[config]} | {r['sentences_per_second']:.1f} | {r['tokens_per_second']:.0f} | "
            f"{r['tokens_per_second'] / base['tokens_per_second']:.1f}× | {r['peak_rss_mb']:.0f} | "
            f"{r['peak_rss_mb'] / base['peak_rss_mb']:.2f} | {bleu} | {chrf} | {r['translate_seconds']:.2f} | "
            f"{r['process_seconds']:.2f} |"
        )
    lines.append("")
    lines.append(
        f"Identical outputs: torch backend vs transformers {results['torch']['identical_to_hf']}/{len_sample(data)}, "
        f"CTranslate2 float32 vs torch backend {results['ct2-f32']['identical_to_torch']}/{len_sample(data)}, "
        f"int8 vs float32 {results['ct2-int8']['identical_to_f32']}/{len_sample(data)}, "
        f"cached vs first run {results['cached']['identical_to_first_run']}/{len_sample(data)}; "
        f"target tokens: " + ", ".join(f"{c} {results[c]['target_tokens']}" for c in CONFIGS[:4])
    )
    return lines


def len_sample(data: dict) -> int:
    return data["sentences"]


def check_targets(name: str, data: dict) -> list[str]:
    r = data["configs"]
    lines = []

    def verdict(ok: bool) -> str:
        return "MET " if ok else "MISSED"

    speed = r["ct2-int8"]["tokens_per_second"] / r["hf"]["tokens_per_second"]
    lines.append(
        f"{verdict(speed >= 5)} {name}: CTranslate2 int8 tokens/s = {speed:.1f}× configuration 1 (target ≥ 5×)"
    )
    if not data["random_weights"]:
        delta = r["ct2-int8"]["bleu"] - r["ct2-f32"]["bleu"]
        delta_hf = r["ct2-int8"]["bleu"] - r["hf"]["bleu"]
        lines.append(
            f"{verdict(abs(delta) <= 0.3)} {name}: BLEU int8 − float32 (CTranslate2) = {delta:+.2f} "
            f"(vs transformers float32: {delta_hf:+.2f}) (target within 0.3)"
        )
    memory = r["ct2-int8"]["peak_rss_mb"] / r["hf"]["peak_rss_mb"]
    lines.append(f"{verdict(memory <= 1 / 3)} {name}: peak RSS int8 / configuration 1 = {memory:.2f} (target ≤ 0.33)")
    process = r["ct2-int8"]["process_seconds"] / r["cached"]["process_seconds"]
    translating = r["ct2-int8"]["translate_seconds"] / r["cached"]["translate_seconds"]
    lines.append(f"{verdict(process >= 10)} {name}: cached re-run, whole process {process:.1f}× faster (target ≥ 10×)")
    lines.append(
        f"{verdict(translating >= 50)} {name}: cached re-run, translating {translating:.0f}× faster (target ≥ 50×); "
        f"{r['cached']['cache_hits']} hits, {r['cached']['cache_misses']} misses, model loaded: "
        f"{r['cached']['model_loaded']}"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="CPU threads per configuration (default 2)")
    parser.add_argument("--sentences", type=int, default=300, help="size of the fixed dev sample (default 300)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the fixed sample")
    parser.add_argument(
        "--models",
        default="standin,opus-random",
        help="comma list: standin, opus-random, article (the edited-article check alone)",
    )
    parser.add_argument("--corpus-dir", type=Path, default=SHARED / "corpora")
    parser.add_argument("--standin", type=Path, default=SHARED / "models" / "standin-id-en")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "idtrans-bench",
    )
    parser.add_argument(
        "--random-length",
        type=int,
        default=0,
        help="tokens decoded per sentence on the random model (default: mean reference length)",
    )
    parser.add_argument("--json", type=Path, help="also write all figures to this JSON file")
    # worker-only options
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--max-new-tokens", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--no-retry", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    args.work_dir.mkdir(parents=True, exist_ok=True)
    sources = (args.corpus_dir / "dev.id").read_text(encoding="utf-8").splitlines()
    targets = (args.corpus_dir / "dev.en").read_text(encoding="utf-8").splitlines()
    picked = sorted(random.Random(args.seed).sample(range(len(sources)), args.sentences))
    sample_id = args.work_dir / "sample.id"
    sample_id.write_text("\n".join(sources[i] for i in picked) + "\n", encoding="utf-8")
    references = [targets[i] for i in picked]
    print(
        f"sample: {len(picked)} sentences of {args.corpus_dir / 'dev.id'} (seed {args.seed}); threads {args.threads}; "
        f"cores {os.cpu_count()}; load average {load_average()}"
    )

    report: dict = {
        "sentences": len(picked),
        "threads": args.threads,
        "cpu_count": os.cpu_count(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "models": {},
    }
    wanted = [m.strip() for m in args.models.split(",") if m.strip()]
    if "standin" in wanted:
        report["models"]["standin-id-en"] = benchmark_model(
            "standin-id-en", args.standin, args, sample_id, references, False
        )
    if "standin" in wanted or "article" in wanted:
        article_work = args.work_dir / "standin-id-en"
        article_work.mkdir(parents=True, exist_ok=True)
        run_worker("convert", args, args.standin, article_work, input_file=sample_id)
        cache = article_work / "article.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(cache) + suffix).unlink(missing_ok=True)
        report["article_edit"] = run_worker(
            "article-edit", args, args.standin, article_work, extra=["--cache", str(cache)], input_file=sample_id
        )
    if "opus-random" in wanted:
        random_dir = args.work_dir / "models" / "opus-mt-id-en-random"
        started = time.perf_counter()
        run_worker("build-random", args, random_dir, args.work_dir, input_file=sample_id)
        print(f"random opus-mt-sized model ready in {time.perf_counter() - started:.1f} s: {random_dir}")
        if not args.random_length:
            import sentencepiece as spm

            processor = spm.SentencePieceProcessor(model_file=str(random_dir / "target.spm"))
            args.random_length = round(statistics.mean(len(processor.encode(t)) + 1 for t in references))
        report["random_length"] = args.random_length
        report["models"]["opus-mt-id-en-random"] = benchmark_model(
            "opus-mt-id-en-random", random_dir, args, sample_id, references, True
        )
    report["help_seconds"] = help_seconds()
    report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    report["load_average_end"] = load_average()

    print()
    lines = []
    for name, data in report["models"].items():
        lines += print_table(name, data) + [""]
    if "random_length" in report:
        lines.append(
            f"Random model: every configuration decodes {report['random_length']} tokens per sentence "
            f"(max_new_tokens fixed; random weights never end a sentence), retry off."
        )
    lines.append("")
    for name, data in report["models"].items():
        lines += check_targets(name, data)
    if "article_edit" in report:
        a = report["article_edit"]
        only = a["missed_paragraphs"] == a["edited_paragraphs"] and a["second_run_misses"] == a["changed_sentences"]
        lines.append(
            f"{'MET ' if only else 'MISSED'} article ({a['paragraphs']} paragraphs) with one edited paragraph: "
            f"{a['second_run_misses']} of {a['sentences_after']} sentences re-translated (changed: "
            f"{a['changed_sentences']} "
            f"of the edited paragraph's {a['edited_paragraph_sentences']}, in paragraph(s) "
            f"{a['edited_paragraphs']}; misses in paragraph(s) {a['missed_paragraphs']}); segmenter {a['segmenter']}"
        )
    help_ok = report["help_seconds"] < 1.0
    lines.append(
        f"{'MET ' if help_ok else 'MISSED'} idtrans --help: {report['help_seconds']:.2f} s (median of 5; target < 1 s)"
    )
    lines.append(
        f"conditions: {report['cpu_count']} cores shared with other jobs; load average at start of each "
        f"configuration is printed above; at the end {report['load_average_end']}"
    )
    print("\n".join(lines))
    report["table_markdown"] = lines
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
