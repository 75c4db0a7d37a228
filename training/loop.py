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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from idtrans.corpus.parallel import CleaningOptions, CleaningReport, clean_pairs, load_eval_keys, read_parallel
from idtrans.errors import TrainingError
from idtrans.io import share_files
from idtrans.training.average import mean_state_dict
from idtrans.training.card import write_card
from idtrans.training.data import Example, collate, make_batches, reverse_pairs, tokenize_pairs
from idtrans.training.evaluate import score, translate_batch_sorted
from idtrans.training.mix import tags_in
from idtrans.training.model_dir import check_model_directory
from idtrans.training.presets import Preset, get_preset
from idtrans.training.vocab import train_vocab

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
    reverse: bool = False  # English -> Indonesian (a back-translation model): see data.reverse_pairs


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
    if options.reverse:
        keep_s, keep_t = reverse_pairs(keep_s, keep_t)
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
        if Path(options.init).is_dir():  # a local model: complete, and shaped by its config, not by defaults
            check_model_directory(Path(options.init))
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
    corpus = read_parallel(options.dev)
    n = options.dev_lines if options.dev_lines and options.dev_lines > 0 else len(corpus)
    if options.reverse:
        return corpus.target[:n], corpus.source[:n]
    return corpus.source[:n], corpus.target[:n]


def _save_hf(model: Any, tokenizer: Any, directory: Path, state_dict: dict[str, Any] | None = None) -> None:
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if state_dict is not None:
        model.save_pretrained(tmp, state_dict=state_dict)
    else:
        model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    share_files(tmp)
    shutil.rmtree(directory, ignore_errors=True)
    os.replace(tmp, directory)


def average_state_dicts(paths: list[Path]) -> dict[str, Any]:
    """Element-wise mean of the floating-point weights of several saved state dicts."""
    import torch

    return mean_state_dict(torch.load(path, map_location="cpu", weights_only=True) for path in paths)


def _dev_sum(scores: dict) -> float:
    """The figure evaluations are compared by: chrF++ + BLEU."""
    return float(scores["chrf++"] + scores["bleu"])


def _run_options(options: TrainOptions, out: Path, resume: bool) -> TrainOptions:
    """The options this session runs with.

    A new run records its effective options in ``OUT/run.json``; ``resume`` reads them back and keeps
    only this session's budget (``max_minutes``, ``max_steps``, ``max_epochs``, ``threads``, ``patience``).
    """
    run_file = out / "run.json"
    state_file = out / "last" / STATE_FILE
    if resume:
        if not state_file.exists() or not run_file.exists():
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
        return options
    if state_file.exists():
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
    return options


def _tokenizer_for_run(
    options: TrainOptions, out: Path, preset: Preset, source: list[str], target: list[str], log: _Log, resume: bool
) -> Any:
    """The initial model's tokenizer (``--init``), the run's own (resume), or a newly trained vocabulary."""
    vocab_dir = out / "vocab"
    if options.init:
        tokenizer = _load_tokenizer(options.init)
        if not resume:
            tokenizer.save_pretrained(vocab_dir)
        return tokenizer
    if resume:
        return _load_tokenizer(vocab_dir)
    log(f"training a {preset.vocab_size}-piece SentencePiece vocabulary on {len(source)} pairs")
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
        languages=("en", "id") if options.reverse else ("id", "en"),
    )
    return _load_tokenizer(vocab_dir)


def _prepare_data(
    options: TrainOptions, out: Path, preset: Preset, max_tokens: int, log: _Log, resume: bool
) -> tuple[Any, list[Example], dict[str, Any]]:
    """Cleaned, tokenised training pairs, their tokenizer and the data report (written to ``OUT/data-report.json``)."""
    source, target, data_report = _read_and_clean(options, log)
    report_file = out / "data-report.json"
    report_file.write_text(json.dumps(data_report, indent=1), encoding="utf-8")
    tokenizer = _tokenizer_for_run(options, out, preset, source, target, log, resume)
    examples, too_long = tokenize_pairs(tokenizer, source, target, max_tokens=max_tokens)
    total = data_report["total"]
    total["steps"]["too_many_tokens"] = too_long
    total["training_pairs"] = len(examples)
    total["source_tokens"] = sum(len(e.source) for e in examples)
    total["target_tokens"] = sum(len(e.target) for e in examples)
    report_file.write_text(json.dumps(data_report, indent=1), encoding="utf-8")
    log(
        f"{len(examples)} training pairs ({too_long} dropped as longer than {max_tokens} tokens), "
        f"{total['target_tokens']} target tokens"
    )
    if not examples:
        raise TrainingError("no training pairs fit the token limit", hint="raise --max-tokens")
    return tokenizer, examples, data_report


@dataclass
class _Position:
    """Where a run stands: saved in ``OUT/last/state.pt`` beside the weights, optimiser, schedule and RNG."""

    step: int = 0
    epoch: int = 0
    batch_pos: int = 0
    train_seconds: float = 0.0
    best: dict | None = None
    history: list[dict] = field(default_factory=list)
    stale_evals: int = 0

    def epochs(self, n_batches: int) -> float:
        return round(self.epoch + self.batch_pos / max(1, n_batches), 2)


@dataclass
class _Meter:
    """Target tokens and losses since the last progress line."""

    since: float = field(default_factory=time.time)
    tokens: int = 0
    losses: list[float] = field(default_factory=list)


class _Run:
    """The state of one training session: data, model, optimiser, schedule, dev set and position.

    :meth:`step_loop` trains until a budget, ``--patience`` or a signal stops it (``stop_reason``);
    :meth:`snapshot_and_evaluate` snapshots and scores on dev; :meth:`finish` averages and writes the best model.
    """

    def __init__(self, options: TrainOptions, out: Path, log: _Log, resume: bool) -> None:
        import torch

        self.options, self.out, self.log = options, out, log
        self.preset = preset = get_preset(options.preset)
        self.lr = options.learning_rate or preset.learning_rate
        self.warmup = options.warmup_steps if options.warmup_steps is not None else preset.warmup_steps
        self.batch_tokens = options.batch_tokens or preset.batch_tokens
        max_tokens = options.max_tokens or preset.max_tokens
        self.precision = _choose_precision(options.precision)
        random.seed(options.seed)
        torch.manual_seed(options.seed)
        self.tokenizer, self.examples, self.data_report = _prepare_data(options, out, preset, max_tokens, log, resume)
        self.model = _build_model(options, self.tokenizer, preset)
        self.n_params = sum(p.numel() for p in self.model.parameters())
        log(f"model: {self.n_params / 1e6:.2f}M parameters, precision {self.precision}, {options.threads} threads")
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=self.lr, betas=(0.9, 0.98), eps=1e-9, weight_decay=options.weight_decay
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, _inverse_sqrt(self.warmup))
        self.position = _Position()
        if resume:
            self._restore()
        self.dev_src, self.dev_ref = _dev_set(options)
        self.pad = self.tokenizer.pad_token_id
        self.start_id = self.model.config.decoder_start_token_id
        self.loss_fn = torch.nn.CrossEntropyLoss(
            ignore_index=-100, label_smoothing=options.label_smoothing, reduction="sum"
        )
        self.snapshots = out / "snapshots"
        self.snapshots.mkdir(exist_ok=True)
        dev_src, dev_ref = self.dev_src, self.dev_ref
        self.probe = (
            tokenize_pairs(self.tokenizer, dev_src[:200], dev_ref[:200], max_tokens=max_tokens)[0]
            if dev_src and dev_ref
            else []
        )
        self.n_batches = len(make_batches(self.examples, self.batch_tokens, options.seed))
        self.stop_reason = ""

    # ------------------------------------------------------------------ checkpoints

    def _restore(self) -> None:
        import torch

        state = torch.load(self.out / "last" / STATE_FILE, map_location="cpu", weights_only=False)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        pos = self.position = _Position(
            step=state["step"],
            epoch=state["epoch"],
            batch_pos=state["batch_pos"],
            train_seconds=state["train_seconds"],
            best=state["best"],
            history=state["history"],
            stale_evals=state.get("stale_evals", 0),
        )
        torch.set_rng_state(state["rng"]["torch"])
        random.setstate(state["rng"]["python"])
        self.log(f"resumed at step {pos.step} (epoch {pos.epoch}, batch {pos.batch_pos}), best so far {pos.best}")

    def save_last(self) -> None:
        """Write ``OUT/last/state.pt``: everything ``--resume`` needs to continue exactly."""
        import torch

        last_dir = self.out / "last"
        last_dir.mkdir(exist_ok=True)
        state = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            **asdict(self.position),
            "rng": {"torch": torch.get_rng_state(), "python": random.getstate()},
        }
        _atomic_torch_save(state, last_dir / STATE_FILE)

    def card_info(self, extra: dict | None = None) -> dict:
        """The training record the model card is written from (see :func:`idtrans.training.card.write_card`)."""
        pos = self.position
        return {
            "options": asdict(self.options),
            "preset": self.preset.as_dict(),
            "parameters": self.n_params,
            "steps": pos.step,
            "epochs": pos.epochs(self.n_batches),
            "train_minutes": round(pos.train_seconds / 60, 1),
            "precision": self.precision,
            "learning_rate": self.lr,
            "warmup_steps": self.warmup,
            "batch_tokens": self.batch_tokens,
            "data": self.data_report,
            "history": pos.history,
            "best": pos.best,
            **(extra or {}),
        }

    # ------------------------------------------------------------------ evaluation

    def source_gain(self) -> float:
        """Dev loss with each source replaced by another one, minus the true loss (nats per token).

        Near 0 means the decoder ignores the source (a language model, not a translator yet).
        """
        import torch

        probe = self.probe
        if len(probe) < 2:
            return float("nan")
        ce = torch.nn.CrossEntropyLoss(ignore_index=-100, reduction="sum")
        shuffled = [type(e)(probe[(i + 1) % len(probe)].source, e.target) for i, e in enumerate(probe)]
        totals = []
        with torch.inference_mode():
            for data in (probe, shuffled):
                loss_sum, count = 0.0, 0
                for batch in make_batches(data, self.batch_tokens, 0):
                    ids, mask, dec, labels = collate(data, batch, self.pad, self.start_id)
                    logits = self.model(input_ids=ids, attention_mask=mask, decoder_input_ids=dec).logits
                    loss_sum += float(ce(logits.float().view(-1, logits.size(-1)), labels.view(-1)))
                    count += int((labels != -100).sum())
                totals.append(loss_sum / max(1, count))
        return round(totals[1] - totals[0], 3)

    def evaluate(self) -> dict:
        """Greedy dev BLEU/chrF++ and the source gain of the current weights."""
        assert self.dev_src is not None and self.dev_ref is not None, "evaluate() runs only with a dev set"
        self.model.eval()
        t0 = time.time()
        hyps = translate_batch_sorted(self.model, self.tokenizer, self.dev_src, beams=1)
        result = score(hyps, self.dev_ref)
        result["source_gain"] = self.source_gain()
        self.model.train()
        return {**result, "eval_seconds": round(time.time() - t0, 1)}

    def snapshot_and_evaluate(self) -> None:
        """Snapshot the weights (for averaging); with a dev set, score them and keep them in ``OUT/best`` if best."""
        import torch

        pos = self.position
        weights = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        torch.save(weights, self.snapshots / f"step-{pos.step:07d}.pt")
        for old in sorted(self.snapshots.glob("step-*.pt"))[: -max(1, self.options.keep_snapshots)]:
            old.unlink()
        if self.dev_src is None:
            return
        result = self.evaluate()
        record = {
            "step": pos.step,
            "epoch": pos.epochs(self.n_batches),
            "train_minutes": round(pos.train_seconds / 60, 1),
            **result,
        }
        pos.history.append(record)
        improved = pos.best is None or _dev_sum(result) > _dev_sum(pos.best)
        self.log(
            f"eval step {pos.step}: dev[{len(self.dev_src)}] greedy BLEU {result['bleu']:.2f} "
            f"chrF++ {result['chrf++']:.2f} source gain {result['source_gain']} nats/token "
            f"({result['eval_seconds']}s){' *best*' if improved else ''}",
            event="eval",
            **record,
        )
        if improved:
            pos.best = dict(record)
            pos.stale_evals = 0
            _save_hf(self.model, self.tokenizer, self.out / "best")
            write_card(self.out / "best", self.card_info())
        else:
            pos.stale_evals += 1

    # ------------------------------------------------------------------ the step loop

    def step_loop(self) -> None:
        """Optimiser steps, epoch after epoch, until ``stop_reason`` is set."""
        import torch

        options, pos = self.options, self.position
        self.model.train()
        session_start = time.time()
        meter = _Meter()
        self.log(
            f"{self.n_batches} batches per epoch (~{self.batch_tokens} tokens each), lr {self.lr}, "
            f"warm-up {self.warmup}, label smoothing {options.label_smoothing}"
        )
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
        while not self.stopping():
            if options.max_epochs is not None and pos.epoch >= options.max_epochs:
                self.stop_reason = f"--max-epochs {options.max_epochs}"
                break
            batches = make_batches(self.examples, self.batch_tokens, options.seed + pos.epoch)
            while pos.batch_pos < len(batches):
                self._step(batches[pos.batch_pos], autocast, meter, len(batches))
                self._after_step(session_start)
                if self.stopping():  # (not `self.stop_reason`: mypy would keep it narrowed to "")
                    break
            if pos.batch_pos >= len(batches):
                pos.epoch += 1
                pos.batch_pos = 0

    def stopping(self) -> bool:
        """Whether a budget, ``--patience`` or a signal has ended the session."""
        return bool(self.stop_reason)

    def _step(self, batch: list[int], autocast: Any, meter: _Meter, epoch_batches: int) -> None:
        import torch

        pos = self.position
        t_step = time.time()
        input_ids, attention, decoder_in, labels = collate(self.examples, batch, self.pad, self.start_id)
        with autocast:
            logits = self.model(input_ids=input_ids, attention_mask=attention, decoder_input_ids=decoder_in).logits
        ntok = int((labels != -100).sum())
        loss = self.loss_fn(logits.float().view(-1, logits.size(-1)), labels.view(-1)) / ntok
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.options.clip_norm:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.options.clip_norm)
        self.optimizer.step()
        self.scheduler.step()
        pos.step += 1
        pos.batch_pos += 1
        pos.train_seconds += time.time() - t_step
        meter.tokens += ntok
        meter.losses.append(loss.item())
        if time.time() - meter.since >= 60 or pos.step == 1:
            self._log_progress(meter, epoch_batches)

    def _log_progress(self, meter: _Meter, epoch_batches: int) -> None:
        pos = self.position
        rate = meter.tokens / max(1e-6, time.time() - meter.since)
        mean = sum(meter.losses) / len(meter.losses)
        _release_memory()
        rss = _rss_mb()
        lr = self.scheduler.get_last_lr()[0]
        self.log(
            f"step {pos.step} epoch {pos.epoch + pos.batch_pos / epoch_batches:.2f} loss {mean:.3f} "
            f"lr {lr:.2e} {rate:.0f} tgt tok/s rss {rss:.0f} MB",
            event="train",
            step=pos.step,
            loss=round(mean, 4),
            lr=lr,
            tok_per_s=round(rate),
            rss_mb=round(rss),
        )
        meter.since, meter.tokens, meter.losses = time.time(), 0, []

    def _after_step(self, session_start: float) -> None:
        """Evaluate and checkpoint every ``eval_every`` steps; set ``stop_reason`` when a budget is spent."""
        options, pos = self.options, self.position
        if pos.step % options.eval_every == 0:
            self.snapshot_and_evaluate()
            self.save_last()
            if options.patience and pos.stale_evals >= options.patience:
                self.stop_reason = f"no dev improvement in {options.patience} evaluations"
        if options.max_steps is not None and pos.step >= options.max_steps:
            self.stop_reason = self.stop_reason or f"--max-steps {options.max_steps}"
        if options.max_minutes is not None and time.time() - session_start >= options.max_minutes * 60:
            self.stop_reason = self.stop_reason or f"--max-minutes {options.max_minutes}"

    # ------------------------------------------------------------------ the end of a session

    def average_snapshots(self) -> dict | None:
        """Checkpoint averaging: the mean of the last snapshots often beats each of them; kept in best if it does."""
        options, pos = self.options, self.position
        snaps = sorted(self.snapshots.glob("step-*.pt"))[-options.average :] if options.average > 1 else []
        if len(snaps) < 2 or self.dev_src is None:
            return None
        current = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        self.model.load_state_dict(average_state_dicts(snaps))
        result = self.evaluate()
        averaged = {"snapshots": [p.stem for p in snaps], **result}
        better = pos.best is not None and _dev_sum(result) > _dev_sum(pos.best)
        self.log(
            f"average of {len(snaps)} snapshots ({snaps[0].stem}..{snaps[-1].stem}): BLEU {result['bleu']:.2f} "
            f"chrF++ {result['chrf++']:.2f} -> {'better than' if better else 'not better than'} best {pos.best}",
            event="average",
            **averaged,
            better=better,
        )
        if better:
            pos.best = {"step": pos.step, "averaged": [p.stem for p in snaps], **result}
            _save_hf(self.model, self.tokenizer, self.out / "best")
        self.model.load_state_dict(current)
        self.save_last()
        return averaged

    def finish(self) -> TrainResult:
        """Evaluate the last steps, checkpoint, average, and write ``OUT/best`` with its model card."""
        pos = self.position
        self.log(f"stopping at step {pos.step}: {self.stop_reason}")
        if not pos.history or pos.history[-1]["step"] != pos.step:
            self.snapshot_and_evaluate()
        self.save_last()
        averaged = self.average_snapshots()
        best_dir = self.out / "best"
        if not best_dir.exists():
            _save_hf(self.model, self.tokenizer, best_dir)
        write_card(best_dir, self.card_info({"averaging": averaged, "stopped_because": self.stop_reason}))
        return TrainResult(
            self.out,
            best_dir,
            pos.step,
            pos.epochs(self.n_batches),
            pos.best,
            pos.history,
            self.data_report,
            self.stop_reason,
        )


@contextmanager
def _stop_on_signals(run: _Run) -> Iterator[None]:
    """SIGTERM/SIGINT set ``run.stop_reason`` (the loop then checkpoints and stops) instead of killing."""

    def on_signal(signum: int, frame: Any) -> None:
        run.stop_reason = f"signal {signal.Signals(signum).name}"

    old_handlers = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)


def train(options: TrainOptions, *, resume: bool = False, echo: Callable[[str], None] | None = None) -> TrainResult:
    """Train (or resume) a MarianMT model as described by ``options``; see the module docstring."""
    echo = echo or (lambda message: print(message, file=sys.stderr, flush=True))
    out = Path(options.output)
    options = _run_options(options, out, resume)
    log = _Log(out / "log.jsonl", echo)

    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a "Writing model shards" bar per snapshot only clutters the training log
    torch.set_num_threads(max(1, options.threads))
    run = _Run(options, out, log, resume)
    with _stop_on_signals(run):
        run.step_loop()
    return run.finish()
