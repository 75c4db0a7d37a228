"""Choosing and loading the translation model.

Precedence: ``--model`` > ``IDTRANS_MODEL`` > ``Helsinki-NLP/opus-mt-id-en`` when it is in the
local Hugging Face cache or the Hub answers quickly > the model bundled in
``idtrans/pipeline/default_model`` (when present). A model is always loaded from a local
directory: a Hub id is first resolved to its cached snapshot (downloading it once when the Hub
answers), so an offline machine fails in seconds with one readable line, not after minutes of
retries. ``trust_remote_code`` is never passed.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from idtrans.errors import IdtransError, ModelError, first_line
from idtrans.pipeline.models.converted import is_converted_dir
from idtrans.settings import MODEL_ENV, env

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-id-en"
BUNDLED_MODEL_DIR = Path(__file__).resolve().parent.parent / "default_model"
HUB_PROBE_SECONDS = 3.0
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_MODEL_FILES = ["*.json", "*.spm", "*.safetensors", "*.bin", "*.model", "*.txt"]


@dataclass(frozen=True)
class ModelChoice:
    """Which model to load, why, and the local directory that holds it."""

    name: str
    origin: str  # "--model", "IDTRANS_MODEL", "default", "bundled"
    path: Path
    #: Why the default model was not used when the bundled one stands in for it (None: simply not downloaded).
    fallback_reason: str | None = None

    @property
    def is_bundled(self) -> bool:
        return self.origin == "bundled"


def _local_hint(name: str = DEFAULT_MODEL) -> str:
    shared = Path.cwd().parent / "shared" / "models" / "standin-id-en"
    extra = f" (on this machine: --model {shared})" if shared.is_dir() else ""
    return (
        f"connect to the internet once so {name} is downloaded into the Hugging Face cache, "
        f"or pass --model DIR with a local MarianMT directory{extra}"
    )


_JSON_HINT = "re-export the model with save_pretrained, or restore the file from where the model came from"


def read_model_json(path: Path) -> dict[str, Any]:
    """A JSON object from a model directory (``{}`` when the file is absent).

    The one reader of a model's JSON files: a file that cannot be read, is not JSON or is not a JSON
    object is a ModelError naming the file (and line), what is wrong, and how to fix it.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise ModelError(f"{path.name} is not UTF-8 text", where=str(path), hint=_JSON_HINT) from None
    except OSError as error:
        reason = error.strerror or first_line(error)
        raise ModelError(f"cannot read {path.name}: {reason}", where=str(path), hint=_JSON_HINT) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelError(
            f"{path.name} is not valid JSON: {error.msg}", where=f"{path}:{error.lineno}", hint=_JSON_HINT
        ) from None
    if not isinstance(data, dict):
        raise ModelError(
            f"{path.name} holds a JSON {type(data).__name__}, not an object", where=str(path), hint=_JSON_HINT
        )
    return data


#: The config.json keys that fix a MarianMT model's tensor shapes; none may be left to defaults.
SHAPE_KEYS = (
    "vocab_size",
    "d_model",
    "encoder_layers",
    "decoder_layers",
    "encoder_attention_heads",
    "decoder_attention_heads",
    "encoder_ffn_dim",
    "decoder_ffn_dim",
)


def check_shape(settings: dict, config: Path, error: type[IdtransError]) -> None:
    """Raise ``error`` when ``settings`` (a config.json) leaves a :data:`SHAPE_KEYS` key to defaults.

    transformers would fill it with its defaults (12 encoder layers, d_model 1024), load the weights
    into a differently shaped model, and translate with randomly initialised layers.
    """
    unshaped = [key for key in SHAPE_KEYS if key not in settings]
    if unshaped:
        raise error(
            f"config.json does not give the model's shape: {', '.join(unshaped)} missing",
            where=str(config),
            hint="write the values the weights were trained with (save_pretrained writes every one of them)",
        )


def _check_model_dir(path: Path, name: str) -> Path:
    config = path / "config.json"
    if not config.is_file():
        raise ModelError(
            "not a model directory: no config.json in it",
            where=name,
            hint="pass a directory written by save_pretrained (config.json, weights, source.spm, target.spm, "
            "vocab.json)",
        )
    settings = read_model_json(config)
    model_type = settings.get("model_type")
    if model_type != "marian":
        raise ModelError(
            f"idtrans runs MarianMT models, this is a {model_type!r} model",
            where=name,
            hint="pass a MarianMT checkpoint such as Helsinki-NLP/opus-mt-id-en",
        )
    check_shape(settings, config, ModelError)
    missing = [f for f in ("source.spm", "target.spm", "vocab.json") if not (path / f).is_file()]
    if missing:
        raise ModelError(
            f"tokenizer files missing: {', '.join(missing)}",
            where=name,
            hint="copy the SentencePiece files and vocab.json saved with the model into the directory",
        )
    return path


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, located as huggingface_hub does (without importing it: ~0.4 s)."""
    explicit = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "huggingface")
    return Path(home).expanduser() / "hub"


class _NotDownloaded(ModelError):
    """A Hub model that is not in the local cache while the Hub cannot be reached (the usual offline case)."""


def _cached_snapshot(repo_id: str) -> tuple[Path | None, str | None]:
    """The cached snapshot of ``repo_id``, or None and why a copy in the cache cannot be used.

    The reason is None when the model was never downloaded.
    """
    if not (hub_cache_dir() / f"models--{repo_id.replace('/', '--')}").is_dir():
        return None, None  # never downloaded: no need to import huggingface_hub to find out
    from huggingface_hub import snapshot_download

    try:
        path = Path(
            snapshot_download(repo_id, cache_dir=hub_cache_dir(), local_files_only=True, allow_patterns=_MODEL_FILES)
        )
    except Exception as error:
        return None, f"its copy in the Hugging Face cache cannot be read: {first_line(error)}"
    if not (path / "config.json").is_file():
        return None, "its copy in the Hugging Face cache has no config.json"
    return path, None


def _resolve(host: str, port: int, timeout: float) -> list | None:
    """``getaddrinfo`` bounded by ``timeout`` (it has no timeout of its own; a dead resolver hangs ~10 s).

    The lookup runs in a daemon thread, so a hung resolver neither blocks the caller nor the exit.
    """
    answer: list = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError:
            answer.append(None)

    worker = threading.Thread(target=lookup, name="idtrans-hub-dns", daemon=True)
    worker.start()
    worker.join(timeout)
    return answer[0] if answer else None


def hub_reachable(timeout: float = HUB_PROBE_SECONDS) -> bool:
    """True when the Hugging Face Hub's name resolves and it accepts a TCP connection, all within ``timeout`` s."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    deadline = time.monotonic() + timeout
    addresses = _resolve(url.hostname or "", port, timeout)
    for family, kind, proto, _, address in addresses or []:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            with socket.socket(family, kind, proto) as connection:
                connection.settimeout(remaining)
                connection.connect(address)
                return True
        except OSError:
            continue
    return False


def _download(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, cache_dir=hub_cache_dir(), allow_patterns=_MODEL_FILES))
    except Exception as error:
        raise ModelError(f"download failed: {first_line(error)}", where=repo_id, hint=_local_hint(repo_id)) from error


def _resolve_named(name: str, origin: str) -> ModelChoice:
    path = Path(name).expanduser()
    if path.is_dir():
        if is_converted_dir(path):  # written by `idtrans model convert`: runs on the ct2 backend only
            return ModelChoice(name, origin, path)
        return ModelChoice(name, origin, _check_model_dir(path, name))
    if path.exists():
        raise ModelError(
            "is a file, not a model directory", where=name, hint="pass the directory that holds config.json"
        )
    if not _HUB_ID.match(name) or name.startswith((".", "~")) or name.count("/") > 1:
        raise ModelError("no such model directory", where=name, hint="check the path, or pass a Hugging Face model id")
    cached, unusable = _cached_snapshot(name)
    if cached is not None:
        return ModelChoice(name, origin, _check_model_dir(cached, name))
    if not hub_reachable():
        if unusable:
            raise ModelError(f"{unusable}, and the Hub cannot be reached", where=name, hint=_local_hint(name))
        raise _NotDownloaded(
            "not in the local Hugging Face cache and the Hub cannot be reached (offline?)",
            where=name,
            hint=_local_hint(name),
        )
    return ModelChoice(name, origin, _check_model_dir(_download(name), name))


def bundled_model_available() -> bool:
    return (BUNDLED_MODEL_DIR / "config.json").is_file()


def bundled_notice(reason: str | None = None) -> str:
    """The one line printed whenever the bundled model is used: what it is and how to do better.

    ``reason``: why the default model could not be used although it was found (see :func:`choose_model`).
    """
    scores = ""
    scores_file = BUNDLED_MODEL_DIR / "scores.json"
    if scores_file.is_file():
        try:
            data = json.loads(scores_file.read_text(encoding="utf-8"))
            parts = [
                f"{name} BLEU {values['bleu']:.1f}"
                for name, values in data.items()
                if isinstance(values, dict) and "bleu" in values
            ]
            scores = f" ({', '.join(parts)})" if parts else ""
        except (OSError, ValueError, TypeError, KeyError):
            scores = ""
    if reason:
        return (
            f"note: using the small bundled offline model{scores} because {DEFAULT_MODEL} cannot be used: {reason} "
            f"(delete or repair its copy in {hub_cache_dir()}, or pass --model DIR)"
        )
    return (
        f"note: using the small bundled offline model{scores}; for much better English go online once "
        f"(idtrans then uses {DEFAULT_MODEL}, published FLORES BLEU ~33) or pass --model DIR"
    )


def choose_model(model: str | None = None) -> ModelChoice:
    """Apply the precedence rules and return a local model directory, or raise ModelError.

    When the default model cannot be used and the bundled one stands in, the choice's
    ``fallback_reason`` says why, unless the default was simply never downloaded (offline).
    """
    if model:
        return _resolve_named(model, "--model")
    from_env = env(MODEL_ENV)
    if from_env:
        try:
            return _resolve_named(from_env, MODEL_ENV)
        except ModelError as error:
            error.where = f"{error.where or from_env} (from ${MODEL_ENV})"
            raise
    try:
        return _resolve_named(DEFAULT_MODEL, "default")
    except ModelError as error:
        if not bundled_model_available():
            raise
        reason = None if isinstance(error, _NotDownloaded) else first_line(error)
        bundled = _check_model_dir(BUNDLED_MODEL_DIR, "bundled model")
        return ModelChoice("idtrans-bundled", "bundled", bundled, fallback_reason=reason)
