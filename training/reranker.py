"""Give a model directory a reverse model to rerank with (:mod:`idtrans.pipeline.layers.rerank`).

The reverse (English→Indonesian) model, from ``idtrans train --reverse``, is converted to int8
CTranslate2 weights into ``MODEL/reverse-ct2-int8`` (the translator only scores with it, on either
forward backend) and ``MODEL/rerank.json`` names it with the weight and the number of hypotheses.
Choose the weight by measurement (``python -m idtrans.training.rerank_tune``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from idtrans.errors import TrainingError
from idtrans.pipeline.layers.rerank import MAX_HYPOTHESES, RERANK_FILE, read_rerank_spec
from idtrans.pipeline.models.convert import convert_model

#: Where the reverse model goes inside the model directory.
REVERSE_DIR = "reverse-ct2-int8"


def directory_mb(path: Path) -> float:
    """The size of every file under ``path``, in MB."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1024 / 1024


def attach_reranker(
    model: str | Path,
    reverse: str | Path,
    *,
    weight: float,
    hypotheses: int,
    max_mb: float | None = 40.0,
    card_note: str | None = None,
    unknown_word_penalty: float = 0.0,
) -> dict:
    """Convert ``reverse`` into ``model``/:data:`REVERSE_DIR`, write ``model``/rerank.json and a "Reranker"
    section in the model card (README.md: what was attached, and ``card_note``, e.g. the measurements).

    Replaces an earlier reranker of ``model`` and its card section. Raises TrainingError (and leaves ``model``
    as it was) when the settings are out of range or the directory would exceed ``max_mb``.
    """
    model = Path(model)
    if not (model / "config.json").is_file():
        raise TrainingError("not a model directory (no config.json)", where=str(model), hint="pass an exported model")
    if not (0 < weight <= 10) or not 1 < hypotheses <= MAX_HYPOTHESES or not 0 <= unknown_word_penalty <= 10:
        raise TrainingError(
            f"weight {weight}, hypotheses {hypotheses} or unknown-word penalty {unknown_word_penalty} out of range",
            where=str(model),
            hint=f"--weight in (0, 10], --hypotheses 2-{MAX_HYPOTHESES}, --unknown-word-penalty 0-10",
        )
    staged = model / (REVERSE_DIR + ".tmp")
    shutil.rmtree(staged, ignore_errors=True)
    convert_model(reverse, staged, "int8", force=True)
    previous = read_json(model / RERANK_FILE)
    old_reverse = model / str(previous.get("reverse", REVERSE_DIR)) if previous else None
    # the directory as it will be: the new reverse model (staged inside it) in place of the old one
    size = directory_mb(model) - (directory_mb(old_reverse) if old_reverse and old_reverse.is_dir() else 0)
    if max_mb is not None and size > max_mb:
        shutil.rmtree(staged, ignore_errors=True)
        raise TrainingError(
            f"the model directory with its reverse model would be {size:.1f} MB, over the {max_mb} MB limit",
            where=str(model),
            hint="use a smaller reverse model, or raise --max-mb",
        )
    if old_reverse is not None and old_reverse.is_dir() and old_reverse.resolve().parent == model.resolve():
        shutil.rmtree(old_reverse)
    shutil.rmtree(model / REVERSE_DIR, ignore_errors=True)
    staged.rename(model / REVERSE_DIR)
    spec: dict = {"reverse": REVERSE_DIR, "weight": weight, "hypotheses": hypotheses}
    if unknown_word_penalty:
        spec["unknown_word_penalty"] = unknown_word_penalty
    (model / RERANK_FILE).write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    read_rerank_spec(model)  # what the translator will read
    card = model / "README.md"
    if card.is_file():
        card.write_text(
            with_section(card.read_text(encoding="utf-8"), _card_section(reverse, spec, card_note)), "utf-8"
        )
    return {**spec, "size_mb": round(directory_mb(model), 2)}


def read_json(path: Path) -> dict | None:
    """A JSON object file, or ``None`` when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


_SECTION = "## Reranker"


def _card_section(reverse: str | Path, spec: dict, note: str | None) -> str:
    lines = [
        _SECTION,
        "",
        f"Each translation is chosen among the model's best {spec['hypotheses']} (beam {spec['hypotheses']}) by the"
        f" forward score plus {spec['weight']:g} x the score of the source given the English by a reverse"
        f" (English->Indonesian) model, `{spec['reverse']}/` (int8 CTranslate2, converted from `{reverse}`;"
        " `rerank.json`). `--no-rerank` translates without it.",
    ]
    if spec.get("unknown_word_penalty"):
        lines[-1] += (
            f" Each word of a hypothesis that is not English costs {spec['unknown_word_penalty']:g} more"
            " (`unknown_word_penalty`)."
        )
    if note:
        lines += ["", note.strip()]
    return "\n".join(lines) + "\n"


def with_section(card: str, section: str) -> str:
    """``card`` with its reranker section replaced by ``section`` (or ``section`` appended)."""
    start = card.find(_SECTION + "\n")
    if start == -1:
        return card.rstrip() + "\n\n" + section
    end = card.find("\n## ", start + len(_SECTION))
    rest = card[end + 1 :] if end != -1 else ""
    return card[:start] + section + ("\n" + rest if rest else "")
