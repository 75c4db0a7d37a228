"""Command-line sub-commands owned by idtrans.training: ``idtrans train``, ``train-data``, ``export-model``,
``back-translate``, ``average-models``, ``grow-model``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from idtrans.errors import InputError, TrainingError
from idtrans.training.average import average_models
from idtrans.training.backtranslate import write_back_translations
from idtrans.training.export import export_model
from idtrans.training.grow import grow_model
from idtrans.training.loop import TrainOptions
from idtrans.training.loop import train as run_training
from idtrans.training.mix import build_mix, load_mix
from idtrans.training.reranker import attach_reranker


def register(app: typer.Typer) -> None:
    """Add this package's commands to the root app."""
    app.command(name="train", no_args_is_help=True)(train_command)
    app.command(name="export-model", no_args_is_help=True)(export_command)
    app.command(name="train-data", no_args_is_help=True)(train_data_command)
    app.command(name="back-translate", no_args_is_help=True)(back_translate_command)
    app.command(name="average-models", no_args_is_help=True)(average_models_command)
    app.command(name="grow-model", no_args_is_help=True)(grow_model_command)
    app.command(name="attach-reranker", no_args_is_help=True)(attach_reranker_command)


def train_data_command(
    mix: Path = typer.Argument(..., help="Mix file (YAML), e.g. training/mixes/news-v2.yaml."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Directory to write train.id, train.en and mix-report.json."
    ),
    corpora: Path = typer.Option(
        Path("../shared/corpora"), "--corpora", help="Directory the mix's set paths are relative to."
    ),
    exclude: list[str] | None = typer.Option(
        None,
        "--exclude",
        help="Evaluation set prefix no training pair may match (default: the corpora's dev and "
        "test/flores200-devtest). Repeatable.",
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of sampling and shuffling."),
) -> None:
    """Build one training corpus from several parallel sets: domain tags, up-sampling, number/language filters."""
    sets = load_mix(mix)
    guard = list(exclude) if exclude else [str(corpora / "dev"), str(corpora / "test" / "flores200-devtest")]
    report = build_mix(sets, corpora, output, exclude=guard, seed=seed, echo=lambda m: typer.echo(m, err=True))
    typer.echo(f"{report.total_pairs} training pairs in {output}/train.{{id,en}} (report: {output}/mix-report.json)")


# `idtrans train` options, declared once (typer's Annotated form keeps the command's signature short).
OutputDir = Annotated[
    Path,
    typer.Option("--output", "-o", help="Run directory: checkpoints, logs, and the best model in OUTPUT/best."),
]
TrainPrefixes = Annotated[
    list[str] | None,
    typer.Option("--train", help="Training data prefix: PREFIX.id and PREFIX.en, line-aligned. Repeatable."),
]
DevPrefix = Annotated[
    str | None,
    typer.Option(
        "--dev",
        help="Dev set prefix for periodic BLEU/chrF++ and best-checkpoint choice (also excluded from training).",
    ),
]
DevLines = Annotated[
    int, typer.Option("--dev-lines", help="Score only the first N dev lines (greedy) during training; 0 = all.")
]
ExcludePrefixes = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        help="Evaluation set prefix whose sentences must not be trained on (contamination guard). Repeatable.",
    ),
]
PresetName = Annotated[
    str,
    typer.Option(
        "--preset",
        help="Model size from scratch: tiny (tests), small (7.7M params, the bundled model before growing), medium, "
        "base (opus-mt shape).",
    ),
]
InitModel = Annotated[
    str | None,
    typer.Option(
        "--init",
        help="Fine-tune this MarianMT checkpoint (directory or hub id) and keep its vocabulary, instead of a preset.",
    ),
]
Resume = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Continue the run in OUTPUT from its last checkpoint (options, optimizer, schedule, RNG restored).",
    ),
]
Seed = Annotated[int, typer.Option("--seed", help="Random seed (weights, batch order, dropout).")]
MaxMinutes = Annotated[
    float | None,
    typer.Option(
        "--max-minutes", help="Stop after this many minutes of this session (checkpoint saved; --resume continues)."
    ),
]
MaxSteps = Annotated[int | None, typer.Option("--max-steps", help="Stop at this total number of optimizer steps.")]
MaxEpochs = Annotated[int | None, typer.Option("--max-epochs", help="Stop after this many passes over the data.")]
EvalEvery = Annotated[int, typer.Option("--eval-every", help="Evaluate on dev, snapshot and checkpoint every N steps.")]
Patience = Annotated[int | None, typer.Option("--patience", help="Stop after N evaluations without dev improvement.")]
LearningRate = Annotated[float | None, typer.Option("--lr", help="Peak learning rate (default: the preset's).")]
WarmupSteps = Annotated[
    int | None,
    typer.Option("--warmup", help="Linear warm-up steps before inverse-sqrt decay (default: the preset's)."),
]
BatchTokens = Annotated[
    int | None,
    typer.Option("--batch-tokens", help="Token budget per batch, padding included (default: the preset's)."),
]
MaxTokens = Annotated[
    int | None, typer.Option("--max-tokens", help="Drop training pairs longer than this many subword tokens.")
]
Dropout = Annotated[
    float | None, typer.Option("--dropout", help="Dropout (default: the preset's or the initial model's).")
]
LabelSmoothing = Annotated[float, typer.Option("--label-smoothing", help="Label smoothing of the cross-entropy loss.")]
Average = Annotated[
    int,
    typer.Option(
        "--average",
        help="At the end, average the last N snapshots and keep the average if it scores better; 0/1 = off.",
    ),
]
Precision = Annotated[
    str, typer.Option("--precision", help="auto (bf16 autocast where the CPU has bf16 units), bf16 or fp32.")
]
TorchThreads = Annotated[int, typer.Option("--threads", help="torch CPU threads.")]
Prepared = Annotated[
    bool,
    typer.Option(
        "--prepared",
        help="The --train data was built by `idtrans train-data`: keep its repeats (up-sampling) and skip the "
        "filters it already applied; the contamination guard still runs.",
    ),
]
Reverse = Annotated[
    bool,
    typer.Option(
        "--reverse",
        help="Train English->Indonesian, for back-translation: PREFIX.en is the source, PREFIX.id the target "
        "(a domain tag moves with the source); --dev is reversed too.",
    ),
]


def train_command(
    output: OutputDir,
    train: TrainPrefixes = None,
    dev: DevPrefix = None,
    dev_lines: DevLines = 400,
    exclude: ExcludePrefixes = None,
    preset: PresetName = "small",
    init: InitModel = None,
    resume: Resume = False,
    seed: Seed = 1,
    max_minutes: MaxMinutes = None,
    max_steps: MaxSteps = None,
    max_epochs: MaxEpochs = None,
    eval_every: EvalEvery = 1000,
    patience: Patience = None,
    learning_rate: LearningRate = None,
    warmup_steps: WarmupSteps = None,
    batch_tokens: BatchTokens = None,
    max_tokens: MaxTokens = None,
    dropout: Dropout = None,
    label_smoothing: LabelSmoothing = 0.1,
    average: Average = 4,
    precision: Precision = "auto",
    threads: TorchThreads = 2,
    prepared: Prepared = False,
    reverse: Reverse = False,
) -> None:
    """Train a MarianMT Indonesian->English model from scratch (vocabulary + size preset) or fine-tune one.

    Data is cleaned first (encoding repair, whitespace, dedup, length and ratio filters, contamination
    guard against --dev and --exclude sets); each step's count is reported.

    The best model by dev score is written to OUTPUT/best as a Hugging Face directory with a model card:
    use it with `idtrans translate --model OUTPUT/best`. Stop any time (Ctrl-C or --max-minutes): a
    checkpoint is saved and --resume continues.
    """
    # On a shared CPU, OpenMP threads that spin-wait collapse when another process takes a core
    # (measured here: 2 spinning threads beside a busy process ran at 1/10 of their speed).
    # Passive waiting keeps them usable; set OMP_WAIT_POLICY yourself to override.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if not resume and not train:
        raise TrainingError(
            "no training data", where="--train", hint="pass --train PREFIX (PREFIX.id + PREFIX.en), or --resume"
        )
    options = TrainOptions(
        train=list(train or []),
        output=str(output),
        dev=dev,
        dev_lines=dev_lines,
        exclude=list(exclude or []),
        preset=preset,
        init=init,
        seed=seed,
        learning_rate=learning_rate,
        warmup_steps=warmup_steps,
        batch_tokens=batch_tokens,
        max_tokens=max_tokens,
        dropout=dropout,
        label_smoothing=label_smoothing,
        max_minutes=max_minutes,
        max_steps=max_steps,
        max_epochs=max_epochs,
        eval_every=eval_every,
        average=average,
        patience=patience,
        precision=precision,
        threads=threads,
        prepared=prepared,
        reverse=reverse,
    )
    result = run_training(options, resume=resume, echo=lambda m: typer.echo(m, err=True))
    typer.echo(f"best model: {result.best_dir} ({result.steps} steps, best dev {result.best_score})")


def export_command(
    source: Path = typer.Argument(..., help="A trained model directory, e.g. OUTPUT/best of `idtrans train`."),
    dest: Path = typer.Argument(..., help="Directory to write (replaced if it exists)."),
    dtype: str = typer.Option("float16", "--dtype", help="Storage type of the weights: float16, bfloat16 or float32."),
    scores: Path | None = typer.Option(
        None, "--scores", help="JSON file of evaluation scores to store as DEST/scores.json."
    ),
    card_note: Path | None = typer.Option(
        None, "--card-note", help="Markdown file appended to the model card (e.g. how to reproduce it)."
    ),
    compare: list[str] | None = typer.Option(
        None,
        "--compare",
        help="NAME=FILE: scores of another model (same JSON layout as --scores) shown beside this one's. Repeatable.",
    ),
    max_mb: float = typer.Option(25.0, "--max-mb", help="Refuse to export weights larger than this many MB."),
) -> None:
    """Export a trained MarianMT model compactly: float16 safetensors, tokenizer files, model card, scores.json."""

    def read_json(path: Path, option: str) -> dict:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InputError(
                f"cannot read scores: {error}",
                where=str(path),
                hint=f"{option} takes a JSON file such as `python -m idtrans.training.evaluate` prints",
            ) from None
        if not isinstance(data, dict):
            raise InputError(
                "scores must be a JSON object (set name -> scores)", where=str(path), hint=f"check {option}"
            )
        return data

    others = {}
    for item in compare or []:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InputError(
                f"expected NAME=FILE, got {item!r}", where="--compare", hint="e.g. --compare standin-id-en=standin.json"
            )
        others[name] = read_json(Path(path), "--compare")
    score_data = read_json(scores, "--scores") if scores else None
    note = read_card_note(card_note)
    info = export_model(source, dest, dtype=dtype, scores=score_data, max_mb=max_mb, card_note=note, compare=others)
    typer.echo(
        f"exported {info['parameters'] / 1e6:.2f}M parameters as {info['dtype']} ({info['size_mb']} MB) to "
        f"{info['dest']}"
    )


def read_card_note(card_note: Path | None) -> str | None:
    """The text of a ``--card-note`` file (``None``: none given)."""
    try:
        return card_note.read_text(encoding="utf-8") if card_note else None
    except (OSError, ValueError) as error:
        raise InputError(
            f"cannot read the card note: {error}", where=str(card_note), hint="--card-note takes a UTF-8 Markdown file"
        ) from None


def back_translate_command(
    model: str = typer.Argument(..., help="An English->Indonesian MarianMT model (from `idtrans train --reverse`)."),
    english: Path = typer.Argument(..., help="English sentences, one a line (empty and repeated lines are skipped)."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Parallel set to write: OUTPUT.id (synthetic) and OUTPUT.en."
    ),
    beams: int = typer.Option(2, "--beams", min=1, help="Beam size."),
    backend: str = typer.Option("auto", "--backend", help="auto, ct2 or torch."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="CPU threads."),
) -> None:
    """Give English sentences synthetic Indonesian sources, as more training pairs for a mix (tag them: `tag: bt`)."""
    id_path, en_path, count = write_back_translations(
        model, english, output, beams=beams, backend=backend, threads=threads, echo=lambda m: typer.echo(m, err=True)
    )
    typer.echo(f"{count} back-translated pairs in {id_path} and {en_path}")


def average_models_command(
    models: list[Path] = typer.Argument(..., help="Two or more MarianMT directories fine-tuned from one model."),
    output: Path = typer.Option(..., "--output", "-o", help="Directory to write the averaged model to."),
    force: bool = typer.Option(False, "--force", help="Replace --output if it exists."),
) -> None:
    """Average the weights of several fine-tunes of one initial model (a "model soup"), e.g. of two runs."""
    info = average_models(models, output, force=force)
    typer.echo(
        f"averaged {len(info['models'])} models ({info['parameters'] / 1e6:.2f}M parameters) into {info['dest']}"
    )


def grow_model_command(
    source: Path = typer.Argument(..., help="A trained MarianMT directory, e.g. pipeline/default_model."),
    output: Path = typer.Option(..., "--output", "-o", help="Directory to write the grown model to."),
    encoder_layers: int | None = typer.Option(None, "--encoder-layers", min=1, help="Encoder depth to grow to."),
    decoder_layers: int | None = typer.Option(None, "--decoder-layers", min=1, help="Decoder depth to grow to."),
    force: bool = typer.Option(False, "--force", help="Replace --output if it exists."),
) -> None:
    """Add layers to a trained model that start as near no-ops; train it further with `idtrans train --init`."""
    info = grow_model(source, output, encoder_layers=encoder_layers, decoder_layers=decoder_layers, force=force)
    old, new = info["from"], info["to"]
    typer.echo(
        f"grew {source} from {old['encoder']}+{old['decoder']} to {new['encoder']}+{new['decoder']} layers "
        f"({info['parameters'] / 1e6:.2f}M parameters) into {info['dest']}"
    )


def attach_reranker_command(
    model: Path = typer.Argument(..., help="The model directory to give a reranker, e.g. pipeline/default_model."),
    reverse: str = typer.Argument(..., help="An English->Indonesian MarianMT model (from `idtrans train --reverse`)."),
    weight: float = typer.Option(..., "--weight", help="How much the reverse score counts (measure it first)."),
    hypotheses: int = typer.Option(8, "--hypotheses", help="How many translations to choose among."),
    unknown_word_penalty: float = typer.Option(
        0.0, "--unknown-word-penalty", help="Subtracted for each word of a translation that is not English."
    ),
    max_mb: float = typer.Option(40.0, "--max-mb", help="Refuse when the model directory would exceed this many MB."),
    card_note: Path | None = typer.Option(
        None, "--card-note", help="Markdown file added to the model card's Reranker section (e.g. the measurements)."
    ),
) -> None:
    """Let MODEL choose each translation among its best few with a reverse model (int8, in MODEL/rerank.json).

    Measure the weight first: python -m idtrans.training.rerank_tune MODEL REVERSE NAME=PREFIX ...
    """
    note = read_card_note(card_note)
    info = attach_reranker(
        model,
        reverse,
        weight=weight,
        hypotheses=hypotheses,
        max_mb=max_mb,
        card_note=note,
        unknown_word_penalty=unknown_word_penalty,
    )
    typer.echo(
        f"{model} now reranks its best {info['hypotheses']} with {model / info['reverse']} (weight {info['weight']:g});"
        f" the directory holds {info['size_mb']} MB"
    )
