"""Loading a resolved model on a backend: transformers/torch or CTranslate2."""

from __future__ import annotations

import sys
from collections.abc import Callable

from idtrans.errors import ModelError
from idtrans.pipeline.backends.ct2_backend import load_ct2_backend
from idtrans.pipeline.backends.torch_backend import TorchMarianBackend
from idtrans.pipeline.layers.translator import Backend
from idtrans.pipeline.models.converted import is_converted_dir
from idtrans.pipeline.models.resolve import ModelChoice, bundled_notice, choose_model


def load_backend(
    model: str | ModelChoice | None = None,
    *,
    backend: str = "torch",
    threads: int | None = None,
    notice: Callable[[str], None] | None = None,
) -> Backend:
    """Resolve ``model`` (unless already a ModelChoice) and load it on ``torch`` or ``ct2``."""
    choice = model if isinstance(model, ModelChoice) else choose_model(model)
    say = notice or (lambda line: print(line, file=sys.stderr))
    if choice.is_bundled:
        say(bundled_notice(choice.fallback_reason))
    if backend == "torch":
        if is_converted_dir(choice.path):
            raise ModelError(
                "this is a CTranslate2 directory; the torch backend needs the original model",
                where=choice.name,
                hint="use --backend ct2 (or auto), or pass the transformers model directory",
            )
        return TorchMarianBackend(choice, threads=threads)
    if backend == "ct2":
        return load_ct2_backend(choice.path, threads=threads, name=choice.name, notice=say)
    raise ModelError(f"unknown backend {backend!r}", hint="use --backend torch or --backend ct2")
