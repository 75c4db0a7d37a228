"""The training loop: data, vocabulary, model, optimiser, evaluation, checkpoints, resume.

Output directory layout (``OUT``):

- ``OUT/run.json``          the options the run started with (``--resume`` reuses them)
- ``OUT/data-report.json``  what each cleaning step removed
- ``OUT/vocab/``            tokenizer files (trained here, or copied from the fine-tuned model)
- ``OUT/last/state.pt``     weights + optimiser + schedule + RNG + position: what ``--resume`` loads
- ``OUT/snapshots/``        weights of the last few evaluations, for checkpoint averaging
- ``OUT/best/``             the best model by dev score: a Hugging Face directory with a model card
- ``OUT/log.jsonl``         one JSON record per log line / evaluation
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from idtrans.errors import TrainingError
from idtrans.training.presets import Preset, get_preset

STATE_FILE = "state.pt"


@dataclass
class TrainOptions:
    """Everything a run depends on. Stored in ``OUT/run.json``; ``--resume`` restores it."""

    train: list[str]
    output: str
    dev: str | None = None
    dev_lines: int = 400
    exclude: list[str] = field(default_factory=list)
    preset: str = "small"
    init: str | None = None
    seed: int = 1
    learning_rate: float | None = None
    warmup_steps: int | None = None
    batch_tokens: int | None = None
    max_tokens: int | None = None
    dropout: float | None = None
    label_smoothing: float = 0.1
    weight_decay: float = 0.0
    clip_norm: float = 1.0
    max_minutes: float | None = None
    max_steps: int | None = None
    max_epochs: int | None = None
    eval_every: int = 1000
    keep_snapshots: int = 5
    average: int = 4
    patience: int | None = None
    precision: str = "auto"
    threads: int = 2
    max_words: int = 150
    max_ratio: float = 3.0
    prepared: bool = False  # data built by `idtrans train-data`: already filtered, repeats are intended


@dataclass
class TrainResult:
    output: Path
    best_dir: Path
    steps: int
    epochs_done: float
    best_score: dict | None
    history: list[dict]
    data_report: dict
    stopped_because: str


class _Log:
    def __init__(self, path: Path, echo: Callable[[str], None]) -> None:
        self.path = path
        self.echo = echo

    def __call__(self, message: str, **record: Any) -> None:
        self.echo(message)
        if record:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **record}) + "\n")


def _atomic_torch_save(obj: Any, path: Path) -> None:
    import torch

    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _rss_mb() -> float:
    """Resident memory of this process in MB (Linux; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _release_memory() -> None:
    """Give freed heap back to the OS: variable batch shapes fragment glibc's heap, and RSS grows
    by hundreds of MB a minute without this (measured on the small preset)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _inverse_sqrt(warmup: int) -> Callable[[int], float]:
    warmup = max(1, warmup)

    def factor(step: int) -> float:
        step = max(1, step)
        return min(step / warmup, math.sqrt(warmup / step))

    return factor


def _read_and_clean(options: TrainOptions, log: _Log) -> tuple[list[str], list[str], dict[str, Any]]:
    from idtrans.corpus.parallel import CleaningOptions, CleaningReport, clean_pairs, load_eval_keys, read_parallel

    exclude = list(options.exclude)
    if options.dev and options.dev not in exclude:
        exclude.append(options.dev)
    eval_keys = load_eval_keys(exclude) if exclude else None
    source: list[str] = []
    target: list[str] = []
    reports = {}
    total = CleaningReport()
    if options.prepared:
        # A mix from `idtrans train-data` is cleaned per set already; its repeats are up-sampling.
        cleaning = CleaningOptions(max_words=10_000, max_ratio=float("inf"), dedup=False)
    else:
        cleaning = CleaningOptions(max_words=options.max_words, max_ratio=options.max_ratio)
    for prefix in options.train:
        corpus = read_parallel(prefix)
        s, t, report = clean_pairs(corpus.source, corpus.target, cleaning, eval_keys)
        reports[corpus.origin] = report.as_dict()
        log(f"data {corpus.origin}: " + "; ".join(report.lines()))
        total.input_pairs += report.input_pairs
        for k, v in report.steps.items():
            total.steps[k] = total.steps.get(k, 0) + v
        source.extend(s)
        target.extend(t)
    # Duplicates across files: the same pair in two training files counts once (a prepared mix
    # repeats pairs on purpose).
    seen: set[tuple[str, str]] = set()
    keep_s: list[str] = []
    keep_t: list[str] = []
    for pair in zip(source, target):
        if options.prepared or pair not in seen:
            seen.add(pair)
            keep_s.append(pair[0])
            keep_t.append(pair[1])
    total.steps["dedup"] = total.steps.get("dedup", 0) + len(source) - len(keep_s)
    total.output_pairs = len(keep_s)
    if not keep_s:
        raise TrainingError(
            "no training pairs left after cleaning",
            where=", ".join(options.train),
            hint="check the files are line-aligned Indonesian/English text",
        )
    return keep_s, keep_t, {"files": reports, "total": total.as_dict(), "excluded_sets": exclude}


def _choose_precision(requested: str) -> str:
    if requested in ("fp32", "bf16"):
        return requested
    if requested != "auto":
        raise TrainingError(f"unknown precision {requested!r}", where="--precision", hint="use auto, bf16 or fp32")
    import torch

    # bf16 autocast pays off on CPUs with native bf16 matrix units (AVX512-BF16 / AMX); measured
    # here: see the training README section.
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        flags = ""
    return (
        "bf16" if ("amx_bf16" in flags or "avx512_bf16" in flags) and torch.backends.mkldnn.is_available() else "fp32"
    )


def _load_tokenizer(path: str | Path) -> Any:
    from transformers import MarianTokenizer

    try:
        return MarianTokenizer.from_pretrained(str(path))
    except Exception as error:  # transformers raises many types here
        raise TrainingError(
            f"cannot load a Marian tokenizer: {error}",
            where=str(path),
            hint="pass a MarianMT model directory (source.spm, target.spm, vocab.json)",
        ) from None


def _build_model(options: TrainOptions, tokenizer: Any, preset: Preset) -> Any:
    import torch
    from transformers import MarianConfig, MarianMTModel

    if options.init:
        try:
            model = MarianMTModel.from_pretrained(options.init)
        except Exception as error:
            raise TrainingError(
                f"cannot load the model to fine-tune: {error}",
                where=options.init,
                hint="pass a local MarianMT directory, or a hub id that is in the local cache",
            ) from None
        if options.dropout is not None:
            model.config.dropout = options.dropout
            for module in model.modules():
                if isinstance(module, torch.nn.Dropout):
                    module.p = options.dropout
        return model
    pad = tokenizer.pad_token_id
    kwargs = preset.config_kwargs()
    if options.dropout is not None:
        kwargs["dropout"] = options.dropout
    config = MarianConfig(
        vocab_size=len(tokenizer),
        decoder_vocab_size=len(tokenizer),
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        **kwargs,
    )
    torch.manual_seed(options.seed)
    model = MarianMTModel(config)
    model.generation_config.num_beams = 4
    model.generation_config.max_length = None
    return model


def _dev_set(options: TrainOptions) -> tuple[list[str] | None, list[str] | None]:
    if not options.dev:
        return None, None
    from idtrans.corpus.parallel import read_parallel

    corpus = read_parallel(options.dev)
    n = options.dev_lines if options.dev_lines and options.dev_lines > 0 else len(corpus)
    return corpus.source[:n], corpus.target[:n]


def _save_hf(model: Any, tokenizer: Any, directory: Path, state_dict: dict[str, Any] | None = None) -> None:
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if state_dict is not None:
        model.save_pretrained(tmp, state_dict=state_dict)
    else:
        model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(directory, ignore_errors=True)
    os.replace(tmp, directory)


def average_state_dicts(paths: list[Path]) -> dict[str, Any]:
    """Element-wise mean of the floating-point weights of several saved state dicts."""
    import torch

    total = None
    for path in paths:
        sd = torch.load(path, map_location="cpu", weights_only=True)
        if total is None:
            total = {k: v.clone().double() if v.is_floating_point() else v.clone() for k, v in sd.items()}
        else:
            for k, v in sd.items():
                if v.is_floating_point():
                    total[k] += v.double()
    assert total is not None
    return {k: (v / len(paths)).float() if v.is_floating_point() else v for k, v in total.items()}


def train(  # noqa: C901 - split into state, step loop and evaluation (issue 11)
    options: TrainOptions, *, resume: bool = False, echo: Callable[[str], None] | None = None
) -> TrainResult:
    """Train (or resume) a MarianMT model as described by ``options``; see the module docstring."""
    echo = echo or (lambda message: print(message, file=sys.stderr, flush=True))
    out = Path(options.output)
    run_file = out / "run.json"
    last_dir = out / "last"
    if resume:
        if not (last_dir / STATE_FILE).exists() or not run_file.exists():
            raise TrainingError(
                "nothing to resume: no checkpoint",
                where=str(out),
                hint="start a run without --resume first, or pass the output directory of an earlier run",
            )
        saved = json.loads(run_file.read_text(encoding="utf-8"))
        budget = {k: getattr(options, k) for k in ("max_minutes", "max_steps", "max_epochs", "threads", "patience")}
        options = TrainOptions(**saved)
        for k, v in budget.items():
            if v is not None:
                setattr(options, k, v)
    else:
        if (last_dir / STATE_FILE).exists():
            raise TrainingError(
                "the output directory already holds a training run",
                where=str(out),
                hint="add --resume to continue it, or choose a new --output directory",
            )
        chosen = get_preset(options.preset)
        # Record the effective values, so a later change of preset defaults cannot change a resumed run.
        for name in ("learning_rate", "warmup_steps", "batch_tokens", "max_tokens"):
            if getattr(options, name) is None:
                setattr(options, name, getattr(chosen, name))
        out.mkdir(parents=True, exist_ok=True)
        run_file.write_text(json.dumps(asdict(options), indent=1), encoding="utf-8")
    log = _Log(out / "log.jsonl", echo)

    import torch
    from transformers.utils import logging as hf_logging

    from idtrans.training.data import collate, make_batches, tokenize_pairs
    from idtrans.training.evaluate import score, translate_batch_sorted

    hf_logging.disable_progress_bar()  # a "Writing model shards" bar per snapshot only clutters the training log
    torch.set_num_threads(max(1, options.threads))
    preset = get_preset(options.preset)
    lr = options.learning_rate or preset.learning_rate
    warmup = options.warmup_steps if options.warmup_steps is not None else preset.warmup_steps
    batch_tokens = options.batch_tokens or preset.batch_tokens
    max_tokens = options.max_tokens or preset.max_tokens
    precision = _choose_precision(options.precision)

    random.seed(options.seed)
    torch.manual_seed(options.seed)
    source, target, data_report = _read_and_clean(options, log)
    (out / "data-report.json").write_text(json.dumps(data_report, indent=1), encoding="utf-8")

    vocab_dir = out / "vocab"
    if options.init:
        tokenizer = _load_tokenizer(options.init)
        if not resume:
            tokenizer.save_pretrained(vocab_dir)
    elif resume:
        tokenizer = _load_tokenizer(vocab_dir)
    else:
        log(f"training a {preset.vocab_size}-piece SentencePiece vocabulary on {len(source)} pairs")
        from idtrans.training.mix import tags_in
        from idtrans.training.vocab import train_vocab

        tags = tags_in(source)
        if tags:
            log(f"domain tags kept as single pieces: {' '.join(tags)}")
        train_vocab(
            vocab_dir,
            source,
            target,
            vocab_size=preset.vocab_size,
            max_positions=preset.max_positions,
            seed=options.seed,
            user_symbols=tags,
        )
        tokenizer = _load_tokenizer(vocab_dir)

    examples, too_long = tokenize_pairs(tokenizer, source, target, max_tokens=max_tokens)
    data_report["total"]["steps"]["too_many_tokens"] = too_long
    data_report["total"]["training_pairs"] = len(examples)
    data_report["total"]["source_tokens"] = sum(len(e.source) for e in examples)
    data_report["total"]["target_tokens"] = sum(len(e.target) for e in examples)
    (out / "data-report.json").write_text(json.dumps(data_report, indent=1), encoding="utf-8")
    log(
        f"{len(examples)} training pairs ({too_long} dropped as longer than {max_tokens} tokens), "
        f"{data_report['total']['target_tokens']} target tokens"
    )
    if not examples:
        raise TrainingError("no training pairs fit the token limit", hint="raise --max-tokens")

    model = _build_model(options, tokenizer, preset)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {n_params / 1e6:.2f}M parameters, precision {precision}, {options.threads} threads")
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9, weight_decay=options.weight_decay
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _inverse_sqrt(warmup))

    step, epoch, batch_pos, train_seconds = 0, 0, 0, 0.0
    best: dict | None = None
    history: list[dict] = []
    stale_evals = 0
    if resume:
        state = torch.load(last_dir / STATE_FILE, map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, epoch, batch_pos = state["step"], state["epoch"], state["batch_pos"]
        train_seconds, best, history = state["train_seconds"], state["best"], state["history"]
        stale_evals = state.get("stale_evals", 0)
        torch.set_rng_state(state["rng"]["torch"])
        random.setstate(state["rng"]["python"])
        log(f"resumed at step {step} (epoch {epoch}, batch {batch_pos}), best so far {best}")

    dev_src, dev_ref = _dev_set(options)
    pad = tokenizer.pad_token_id
    start_id = model.config.decoder_start_token_id
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=options.label_smoothing, reduction="sum")
    snapshots = out / "snapshots"
    snapshots.mkdir(exist_ok=True)

    stop = {"reason": ""}

    def _on_signal(signum, frame):
        stop["reason"] = f"signal {signal.Signals(signum).name}"

    old_handlers = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def save_last() -> None:
        last_dir.mkdir(exist_ok=True)
        _atomic_torch_save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "step": step,
                "epoch": epoch,
                "batch_pos": batch_pos,
                "train_seconds": train_seconds,
                "best": best,
                "history": history,
                "stale_evals": stale_evals,
                "rng": {"torch": torch.get_rng_state(), "python": random.getstate()},
            },
            last_dir / STATE_FILE,
        )

    def card_info(extra: dict | None = None) -> dict:
        return {
            "options": asdict(options),
            "preset": preset.as_dict(),
            "parameters": n_params,
            "steps": step,
            "epochs": round(epoch + batch_pos / max(1, n_batches), 2),
            "train_minutes": round(train_seconds / 60, 1),
            "precision": precision,
            "learning_rate": lr,
            "warmup_steps": warmup,
            "batch_tokens": batch_tokens,
            "data": data_report,
            "history": history,
            "best": best,
            **(extra or {}),
        }

    probe_examples = (
        tokenize_pairs(tokenizer, dev_src[:200], dev_ref[:200], max_tokens=max_tokens)[0] if dev_src and dev_ref else []
    )

    def source_gain() -> float:
        """Dev loss with each source replaced by another one, minus the true loss (nats per token).

        Near 0 means the decoder ignores the source (a language model, not a translator yet).
        """
        if len(probe_examples) < 2:
            return float("nan")
        ce = torch.nn.CrossEntropyLoss(ignore_index=-100, reduction="sum")
        shuffled = [
            type(e)(probe_examples[(i + 1) % len(probe_examples)].source, e.target)
            for i, e in enumerate(probe_examples)
        ]
        totals = []
        with torch.inference_mode():
            for data in (probe_examples, shuffled):
                loss_sum, count = 0.0, 0
                for batch in make_batches(data, batch_tokens, 0):
                    ids, mask, dec, labels = collate(data, batch, pad, start_id)
                    logits = model(input_ids=ids, attention_mask=mask, decoder_input_ids=dec).logits
                    loss_sum += float(ce(logits.float().view(-1, logits.size(-1)), labels.view(-1)))
                    count += int((labels != -100).sum())
                totals.append(loss_sum / max(1, count))
        return round(totals[1] - totals[0], 3)

    def evaluate() -> dict:
        assert dev_src is not None and dev_ref is not None, "evaluate() runs only with a dev set"
        model.eval()
        t0 = time.time()
        hyps = translate_batch_sorted(model, tokenizer, dev_src, beams=1)
        result = score(hyps, dev_ref)
        result["source_gain"] = source_gain()
        model.train()
        return {**result, "eval_seconds": round(time.time() - t0, 1)}

    def do_eval() -> None:
        nonlocal best, stale_evals
        weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
        torch.save(weights, snapshots / f"step-{step:07d}.pt")
        for old in sorted(snapshots.glob("step-*.pt"))[: -max(1, options.keep_snapshots)]:
            old.unlink()
        if dev_src is None:
            return
        result = evaluate()
        record = {
            "step": step,
            "epoch": round(epoch + batch_pos / max(1, n_batches), 2),
            "train_minutes": round(train_seconds / 60, 1),
            **result,
        }
        history.append(record)
        improved = best is None or result["chrf++"] + result["bleu"] > best["chrf++"] + best["bleu"]
        log(
            f"eval step {step}: dev[{len(dev_src)}] greedy BLEU {result['bleu']:.2f} chrF++ {result['chrf++']:.2f}"
            f" source gain {result['source_gain']} nats/token ({result['eval_seconds']}s)"
            f"{' *best*' if improved else ''}",
            event="eval",
            **record,
        )
        if improved:
            best = dict(record)
            stale_evals = 0
            _save_hf(model, tokenizer, out / "best")
            from idtrans.training.card import write_card

            write_card(out / "best", card_info())
        else:
            stale_evals += 1

    model.train()
    session_start = time.time()
    last_log = time.time()
    tokens_since = 0
    losses: list[float] = []
    n_batches = len(make_batches(examples, batch_tokens, options.seed))
    log(
        f"{n_batches} batches per epoch (~{batch_tokens} tokens each), lr {lr}, warm-up {warmup}, "
        f"label smoothing {options.label_smoothing}"
    )
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")
    try:
        while not stop["reason"]:
            if options.max_epochs is not None and epoch >= options.max_epochs:
                stop["reason"] = f"--max-epochs {options.max_epochs}"
                break
            batches = make_batches(examples, batch_tokens, options.seed + epoch)
            while batch_pos < len(batches):
                t_step = time.time()
                input_ids, attention, decoder_in, labels = collate(examples, batches[batch_pos], pad, start_id)
                with autocast:
                    logits = model(input_ids=input_ids, attention_mask=attention, decoder_input_ids=decoder_in).logits
                ntok = int((labels != -100).sum())
                loss = loss_fn(logits.float().view(-1, logits.size(-1)), labels.view(-1)) / ntok
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if options.clip_norm:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), options.clip_norm)
                optimizer.step()
                scheduler.step()
                step += 1
                batch_pos += 1
                train_seconds += time.time() - t_step
                tokens_since += ntok
                losses.append(loss.item())
                if time.time() - last_log >= 60 or step == 1:
                    rate = tokens_since / max(1e-6, time.time() - last_log)
                    mean = sum(losses) / len(losses)
                    _release_memory()
                    rss = _rss_mb()
                    log(
                        f"step {step} epoch {epoch + batch_pos / len(batches):.2f} loss {mean:.3f} "
                        f"lr {scheduler.get_last_lr()[0]:.2e} {rate:.0f} tgt tok/s rss {rss:.0f} MB",
                        event="train",
                        step=step,
                        loss=round(mean, 4),
                        lr=scheduler.get_last_lr()[0],
                        tok_per_s=round(rate),
                        rss_mb=round(rss),
                    )
                    last_log, tokens_since, losses = time.time(), 0, []
                if step % options.eval_every == 0:
                    do_eval()
                    save_last()
                    if options.patience and stale_evals >= options.patience:
                        stop["reason"] = f"no dev improvement in {options.patience} evaluations"
                if options.max_steps is not None and step >= options.max_steps:
                    stop["reason"] = stop["reason"] or f"--max-steps {options.max_steps}"
                if options.max_minutes is not None and time.time() - session_start >= options.max_minutes * 60:
                    stop["reason"] = stop["reason"] or f"--max-minutes {options.max_minutes}"
                if stop.get("reason"):  # (not stop["reason"]: mypy would keep it narrowed to "")
                    break
            if batch_pos >= len(batches):
                epoch += 1
                batch_pos = 0
    finally:
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
    log(f"stopping at step {step}: {stop['reason']}")
    if not history or history[-1]["step"] != step:
        do_eval()
    save_last()

    # Checkpoint averaging: the mean of the last snapshots often beats each of them.
    snaps = sorted(snapshots.glob("step-*.pt"))[-options.average :] if options.average > 1 else []
    averaged = None
    if len(snaps) >= 2 and dev_src is not None:
        current = {k: v.detach().clone() for k, v in model.state_dict().items()}
        model.load_state_dict(average_state_dicts(snaps))
        result = evaluate()
        averaged = {"snapshots": [p.stem for p in snaps], **result}
        better = best is not None and result["chrf++"] + result["bleu"] > best["chrf++"] + best["bleu"]
        log(
            f"average of {len(snaps)} snapshots ({snaps[0].stem}..{snaps[-1].stem}): BLEU {result['bleu']:.2f} "
            f"chrF++ {result['chrf++']:.2f} -> {'better than' if better else 'not better than'} best {best}",
            event="average",
            **averaged,
            better=better,
        )
        if better:
            best = {"step": step, "averaged": [p.stem for p in snaps], **result}
            _save_hf(model, tokenizer, out / "best")
        model.load_state_dict(current)
        save_last()
    if not (out / "best").exists():
        _save_hf(model, tokenizer, out / "best")
    from idtrans.training.card import write_card

    write_card(out / "best", card_info({"averaging": averaged, "stopped_because": stop["reason"]}))
    return TrainResult(
        out,
        out / "best",
        step,
        round(epoch + batch_pos / max(1, n_batches), 2),
        best,
        history,
        data_report,
        stop["reason"],
    )
