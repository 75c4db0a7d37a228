"""The fast backend by default: ``--backend auto`` converts a model for CTranslate2 on first use.

Without a converted copy, ``auto`` would run the model on torch, several times slower. The first
run therefore converts it once (int8, into the idtrans cache, where ``auto`` finds it later) with a
one-line notice; if that is impossible (ctranslate2 missing, a read-only cache directory, a model
the converter refuses) the notice says why and the run goes on with torch. ``$IDTRANS_AUTO_CONVERT=0``
turns the conversion off (``--backend torch`` skips it for one run). Two processes converting the same
model at once take turns on a lock file beside the copy; the second finds the first one's copy.
``--backend ct2`` converts a model without a copy through the same path (:func:`convert_on_first_use`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from idtrans.errors import ModelError, first_line
from idtrans.pipeline.models.convert import convert_model
from idtrans.pipeline.models.converted import converted_copy, default_converted_dir
from idtrans.pipeline.models.resolve import ModelChoice
from idtrans.settings import env

AUTO_CONVERT_ENV = "IDTRANS_AUTO_CONVERT"
LOCK_SECONDS = 900.0


def auto_convert_enabled() -> bool:
    """False when ``$IDTRANS_AUTO_CONVERT`` is ``0``, ``no``, ``off`` or ``false``."""
    return (env(AUTO_CONVERT_ENV) or "1").lower() not in ("0", "no", "off", "false")


def convert_on_first_use(model_dir: Path, name: str, say: Callable[[str], None]) -> Path:
    """The converted copy of the model in ``model_dir``, converting it now (int8, into the cache) if there is none.

    The one conversion path of ``--backend auto`` and ``--backend ct2``: under a lock beside the copy,
    so two processes never convert the same model at once. Raises ModelError (or OSError) on failure.
    """
    found = converted_copy(model_dir)
    if found is not None:
        return found
    from filelock import FileLock, Timeout

    destination = default_converted_dir(model_dir, "int8")
    destination.parent.mkdir(parents=True, exist_ok=True)
    lock = str(destination) + ".lock"
    try:
        with FileLock(lock, timeout=LOCK_SECONDS):
            found = converted_copy(model_dir)  # another process may have converted it meanwhile
            if found is not None:
                return found
            say(
                f"note: converting {name} for fast CPU translation, once (into {destination.parent}; "
                f"--backend torch skips this)"
            )
            return convert_model(model_dir, destination, "int8", name=name).path
    except Timeout as error:
        raise ModelError(
            f"another process has been converting it for {LOCK_SECONDS:.0f} s",
            where=name,
            hint=f"wait for that conversion to finish, or delete {lock} if no idtrans process is running",
        ) from error


def ensure_converted(choice: ModelChoice, say: Callable[[str], None]) -> Path | None:
    """The model's converted copy, converting it now if there is none; ``None``: use torch (``say`` told why)."""
    found = converted_copy(choice.path)
    if found is not None or not auto_convert_enabled():
        return found
    if importlib.util.find_spec("ctranslate2") is None:
        say(f"note: ctranslate2 is not installed, so {choice.name} runs on torch (pip install ctranslate2 for speed)")
        return None
    try:
        return convert_on_first_use(choice.path, choice.name, say)
    except Exception as error:  # any failure (disk, permissions, converter, lock) falls back to torch
        why = first_line(error)
    say(f"note: could not convert {choice.name} for the fast backend ({why}); translating with torch")
    return None
