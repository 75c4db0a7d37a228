"""The model card (README.md) written beside a trained model."""

from __future__ import annotations

import json
from pathlib import Path

#: The Hugging Face model card's metadata block, first in every card idtrans writes.
FRONT_MATTER = ("---", "language: [id, en]", "tags: [translation, marian, idtrans]", "pipeline_tag: translation", "---")


def _table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def scores_table(scores: dict, compare: dict[str, dict] | None = None) -> str:
    """Markdown table of ``scores`` (set name -> {"bleu", "chrf++", ...}) beside the same sets for other models."""
    compare = compare or {}
    header = ["set", "lines", "beams", "BLEU", "chrF++"]
    for name in compare:
        header += [f"BLEU {name}", f"chrF++ {name}"]
    rows = []
    for set_name, values in scores.items():
        if not isinstance(values, dict) or "bleu" not in values:
            continue
        row = [
            f"`{set_name}`",
            values.get("lines", ""),
            values.get("beams", ""),
            values["bleu"],
            values.get("chrf++", ""),
        ]
        for other in compare.values():
            theirs = other.get(set_name, {})
            row += [theirs.get("bleu", "-"), theirs.get("chrf++", "-")]
        rows.append(row)
    return _table(rows, header)


def _model_rows(info: dict) -> list[list]:
    """The rows of the card's "Model" table."""
    opts = info["options"]
    preset = info["preset"]
    return [
        ["parameters", f"{info['parameters'] / 1e6:.2f}M"],
        [
            "shape",
            f"d_model {preset['d_model']}, {preset['encoder_layers']} encoder + "
            f"{preset['decoder_layers']} decoder layers, "
            f"{preset['attention_heads']} heads, FFN {preset['ffn_dim']}"
            if not opts.get("init")
            else "from the initial model",
        ],
        [
            "vocabulary",
            "shared SentencePiece unigram, trained on the training data"
            if not opts.get("init")
            else "kept from the initial model",
        ],
        ["training steps", info["steps"]],
        ["epochs", info["epochs"]],
        ["training time", f"{info['train_minutes']} CPU-minutes (wall clock of the training steps)"],
        ["precision", info["precision"]],
        [
            "schedule",
            f"AdamW, lr {info['learning_rate']}, {info['warmup_steps']} warm-up steps then inverse square root",
        ],
        ["batch", f"~{info['batch_tokens']} tokens per batch (length-sorted token budget)"],
        ["label smoothing", opts["label_smoothing"]],
        ["seed", opts["seed"]],
    ]


def write_card(directory: Path, info: dict) -> Path:
    """Write ``directory/README.md`` from the training record ``info`` (see ``loop._Run.card_info``)."""
    opts = info["options"]
    preset = info["preset"]
    data = info["data"]["total"]
    steps = data.get("steps", {})
    best = info.get("best") or {}
    origin = f"fine-tuned from {opts['init']}" if opts.get("init") else f"preset {preset['name']}"
    excluded = ", ".join(f"`{name}`" for name in info["data"].get("excluded_sets", []))
    parts = [
        *FRONT_MATTER,
        "",
        f"# idtrans MarianMT {'English -> Indonesian' if opts.get('reverse') else 'Indonesian -> English'} ({origin})",
        "",
        "Trained with `idtrans train` (the idtrans project's own training code).",
        "",
        "## Model",
        "",
        _table(
            _model_rows(info),
            ["", ""],
        ),
        "",
        "## Data",
        "",
        f"Training files: {', '.join('`' + t + '`' for t in opts['train'])} "
        "(paths on the machine that trained it; a reproduction builds its own).",
        f"Contamination guard against: {excluded or 'none'}.",
        "",
        _table([[k, v] for k, v in steps.items()], ["cleaning step", "pairs removed (or changed)"]),
        "",
        f"{data.get('input_pairs')} pairs read, {data.get('training_pairs', data.get('output_pairs'))} trained on "
        f"({data.get('source_tokens', '?')} source / {data.get('target_tokens', '?')} target tokens).",
        "",
        "## Dev scores during training",
        "",
        f"Greedy decoding on the first {opts['dev_lines']} lines of `{opts.get('dev')}` (sacreBLEU BLEU, chrF++).",
        "",
    ]
    hist = info.get("history") or []
    if hist:
        parts.append(
            _table(
                [[h["step"], h["epoch"], h["train_minutes"], h["bleu"], h["chrf++"]] for h in hist],
                ["step", "epoch", "minutes", "BLEU", "chrF++"],
            )
        )
    else:
        parts.append("(no dev set given)")
    parts += ["", f"Best: {json.dumps(best)}"]
    if info.get("averaging"):
        parts += ["", f"Checkpoint averaging: {json.dumps(info['averaging'])}"]
    if info.get("stopped_because"):
        parts += ["", f"Stopped because: {info['stopped_because']}."]
    extra = info.get("extra_markdown")
    if extra:
        parts += ["", extra]
    path = directory / "README.md"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
