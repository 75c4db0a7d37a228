"""``idtrans model convert`` and ``idtrans cache stats|clear|prune``: the fast-CPU commands.

Thin wrappers: the work is in :mod:`idtrans.pipeline.models.convert` and :mod:`idtrans.pipeline.layers.cache`.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from idtrans.pipeline.layers.cache import DEFAULT_MAX_MB, MAX_MB_ENV, SentenceCache, max_cache_bytes, prune_cache
from idtrans.pipeline.models.convert import convert_model, describe_size
from idtrans.pipeline.models.converted import converted_copy


class Quantization(str, Enum):
    int8 = "int8"
    int16 = "int16"
    float32 = "float32"


model_app = typer.Typer(
    help="Prepare models for fast CPU translation (CTranslate2).",
    no_args_is_help=True,
    add_completion=False,
)
cache_app = typer.Typer(
    help="The persistent sentence cache: re-translating an article translates only changed sentences.",
    no_args_is_help=True,
    add_completion=False,
)


@model_app.command("convert", no_args_is_help=True)
def convert_command(
    src: str = typer.Argument(..., help="A MarianMT model: a local directory or a Hugging Face model id."),
    dst: Path | None = typer.Argument(
        None,
        help="Output directory (default: the idtrans cache, where `idtrans translate --backend auto` finds it).",
    ),
    quantization: Quantization = typer.Option(
        Quantization.int8,
        "--quantization",
        "-q",
        help="Weight type: int8 (smallest, fastest, BLEU within a few tenths), int16, or float32 (exact).",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an earlier conversion at DST."),
) -> None:
    """Convert a MarianMT model for the CTranslate2 backend (self-contained: tokenizer files copied beside)."""

    result = convert_model(src, dst, quantization.value, force=force)
    verb = "replaced" if result.replaced else "wrote"
    typer.echo(
        f"{verb} {result.path} ({result.quantization}, {describe_size(result.size_bytes)}, "
        f"{result.seconds:.1f} s) from {result.source}"
    )
    found = converted_copy(result.source)
    if found is not None and found.resolve() == result.path.resolve():
        typer.echo(f"`idtrans translate --model {src}` now uses it (--backend auto); --backend torch opts out")
    elif found is not None:
        typer.echo(f"note: --backend auto prefers {found} for this model (int8 > int16 > float32)")
    else:
        typer.echo(
            f"note: --backend auto looks for converted copies in {result.source}/ct2-<quantization>/ and in the "
            f"idtrans cache; omit DST, or move this one to {result.source}/ct2-{result.quantization}/, to have it found"
        )


#: ``--path`` of the ``cache`` commands.
CachePath = Annotated[
    Path | None,
    typer.Option(
        "--path",
        help="Cache file (default: $IDTRANS_CACHE, else sentences.sqlite3 in $XDG_CACHE_HOME/idtrans or "
        "~/.cache/idtrans).",
    ),
]


@cache_app.command("stats")
def cache_stats_command(
    path: CachePath = None,
) -> None:
    """Show where the sentence cache is, how many translations it holds, and for which models."""
    store = SentenceCache(path, strict=True)
    for line in store.stats().lines():
        typer.echo(line)
    limit = store.max_bytes
    typer.echo(f"limit: {limit / 1e6:.0f} MB (${MAX_MB_ENV})" if limit else f"limit: none (${MAX_MB_ENV}=0)")
    store.close()


@cache_app.command("clear")
def cache_clear_command(
    path: CachePath = None,
) -> None:
    """Delete every cached sentence translation (they are re-created on the next runs)."""
    store = SentenceCache(path, strict=True)
    removed = store.clear()
    store.close()
    typer.echo(f"removed {removed} cached translation(s) from {store.path}")


@cache_app.command("prune")
def cache_prune_command(
    path: CachePath = None,
    max_mb: float | None = typer.Option(
        None,
        "--max-mb",
        min=0,
        help=f"Shrink to this many megabytes, least recently used first (default: ${MAX_MB_ENV}, else "
        f"{DEFAULT_MAX_MB:.0f}; 0: no size pruning).",
    ),
    older_than: float | None = typer.Option(
        None, "--older-than", min=0, help="Also remove translations not used for this many days."
    ),
) -> None:
    """Remove the least recently used cached translations down to a size limit, then compact the file."""
    store = SentenceCache(path, strict=True)
    limit = None if max_mb is None else max_cache_bytes(max_mb)
    result = prune_cache(store, max_bytes=limit, older_than_days=older_than)
    store.close()
    typer.echo(
        f"removed {result.removed} cached translation(s) from {result.path}: "
        f"{result.before_bytes / 1e6:.2f} MB -> {result.after_bytes / 1e6:.2f} MB"
    )


def register(app: typer.Typer) -> None:
    """Add ``model convert`` and ``cache stats|clear|prune`` to the root app."""
    app.add_typer(model_app, name="model")
    app.add_typer(cache_app, name="cache")
