"""Converting a MarianMT checkpoint for CTranslate2 (the format and finding copies: :mod:`.converted`).

Nothing heavy is imported at module level: the CLI imports this module at start-up.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from idtrans.errors import InputError, ModelError, first_line
from idtrans.pipeline.models.converted import (
    PROVENANCE,
    default_converted_dir,
    file_stats,
    is_converted_dir,
    model_digest,
)
from idtrans.pipeline.models.resolve import choose_model, read_model_json

QUANTIZATIONS = ("int8", "int16", "float32")
TOKENIZER_FILES = (
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
    "target_vocab.json",
    "generation_config.json",
)
HF_CONFIG_COPY = "hf_config.json"
FORMAT_VERSION = 1


@dataclass
class ConvertResult:
    """What :func:`convert_model` produced."""

    path: Path
    source: Path
    quantization: str
    seconds: float
    size_bytes: int
    source_digest: str
    replaced: bool = False


def _versions() -> dict[str, str]:
    versions = {}
    for package in ("ctranslate2", "transformers", "torch", "sentencepiece"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _check_destination(dst: Path, force: bool) -> bool:
    """Validate ``dst``; return True when an earlier conversion there will be replaced."""
    if not dst.exists():
        return False
    if not dst.is_dir():
        raise InputError("the destination exists and is a file", where=str(dst), hint="choose a new directory for DST")
    if not any(dst.iterdir()):
        return False
    if not is_converted_dir(dst):
        raise InputError(
            "the destination directory exists and is not a converted model; refusing to touch it",
            where=str(dst),
            hint="choose a new or empty directory for DST",
        )
    if not force:
        raise InputError(
            "a converted model already exists there",
            where=str(dst),
            hint="pass --force to convert again and replace it",
        )
    return True


def convert_model(
    src: str | Path,
    dst: str | Path | None = None,
    quantization: str = "int8",
    *,
    force: bool = False,
    name: str | None = None,
) -> ConvertResult:
    """Convert the MarianMT model in ``src`` with CTranslate2's transformers converter.

    ``src`` is a model directory or anything ``--model`` accepts; ``dst`` defaults to the cache
    location :func:`default_converted_dir`. The conversion is written to a temporary directory
    beside ``dst`` and renamed into place, so an interrupted run never leaves a half-written
    model where a complete one is expected.
    """
    if quantization not in QUANTIZATIONS:
        raise InputError(f"unknown quantization {quantization!r}", hint=f"use one of: {', '.join(QUANTIZATIONS)}")
    source_path = Path(src)
    if is_converted_dir(source_path):
        raise InputError(
            "the source is already a converted CTranslate2 model",
            where=str(src),
            hint="convert the original transformers directory instead",
        )
    choice = choose_model(str(src))
    source = choice.path
    tokenizer_config = read_model_json(source / "tokenizer_config.json")
    if tokenizer_config.get("separate_vocabs"):
        raise ModelError(
            "models with separate source and target vocabularies are not supported by the CTranslate2 path",
            where=choice.name,
            hint="translate this model with --backend torch",
        )
    digest = model_digest(source)
    destination = Path(dst).expanduser() if dst is not None else default_converted_dir(source, quantization, digest)
    replaced = _check_destination(destination, force)
    destination.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_workdirs(destination.parent)

    started = time.perf_counter()
    # The pid in the name lets a later run tell a killed conversion's leftovers from a running one's.
    workdir = Path(
        tempfile.mkdtemp(prefix=f".{destination.name}.{os.getpid()}.", suffix=".tmp", dir=destination.parent)
    )
    try:
        output = workdir / "model"
        _run_converter(source, output, quantization, name or choice.name)
        for filename in TOKENIZER_FILES:
            if (source / filename).is_file():
                shutil.copyfile(source / filename, output / filename)
        shutil.copyfile(source / "config.json", output / HF_CONFIG_COPY)
        seconds = time.perf_counter() - started
        record = _provenance(source, name or choice.name, digest, quantization, tokenizer_config, seconds)
        (output / PROVENANCE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        if replaced:
            old = workdir / "old"
            os.replace(destination, old)
        elif destination.exists():
            destination.rmdir()  # empty (checked above)
        os.replace(output, destination)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    size = sum(p.stat().st_size for p in destination.iterdir() if p.is_file())
    return ConvertResult(destination, source, quantization, seconds, size, digest, replaced)


def _provenance(
    source: Path, name: str, digest: str, quantization: str, tokenizer_config: dict, seconds: float
) -> dict[str, Any]:
    """The record a converted directory keeps of where it came from (see :mod:`.converted`)."""
    hf_config = read_model_json(source / "config.json")
    generation = _generation_config(source)
    return {
        "format": FORMAT_VERSION,
        "source": str(source.resolve()),
        "source_name": name,
        "source_digest": digest,
        "source_files": file_stats(source),
        "quantization": quantization,
        "max_position_embeddings": hf_config.get("max_position_embeddings", 512),
        "model_max_length": tokenizer_config.get("model_max_length"),
        "separate_vocabs": bool(tokenizer_config.get("separate_vocabs", False)),
        "suppress_sequences": _banned_tokens(source, generation),
        "forced_eos": _forced_eos(generation, hf_config),
        "loader": "transformers-faithful Marian (decoder starts from the <pad> embedding)",
        "versions": _versions(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
    }


#: A work directory older than this is removed whatever its pid says (the pid may have been reused).
STALE_WORKDIR_SECONDS = 24 * 3600


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else
    return True


def remove_stale_workdirs(parent: Path) -> list[Path]:
    """Delete conversion work directories (``.<name>.<pid>.<random>.tmp``) left by killed runs.

    A directory is stale when its process is gone, or when it is older than
    :data:`STALE_WORKDIR_SECONDS`; a running conversion's directory is left alone. Best effort.
    """
    removed: list[Path] = []
    try:
        candidates = [p for p in parent.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp") and p.is_dir()]
    except OSError:
        return removed
    now = time.time()
    for candidate in candidates:
        parts = candidate.name[1:-4].split(".")
        pid = int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None
        try:
            old = now - candidate.stat().st_mtime > STALE_WORKDIR_SECONDS
        except OSError:
            continue
        if old or pid is None or not _process_alive(pid):
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed


def _run_converter(source: Path, output: Path, quantization: str, name: str) -> None:
    import warnings

    try:
        import ctranslate2.converters
        from transformers.utils import logging as hf_logging
    except ImportError as error:
        raise ModelError(
            f"cannot import {error.name}",
            where=name,
            hint="install the converter's dependencies: pip install ctranslate2 transformers torch",
        ) from error
    from ctranslate2.converters import transformers as ct2_transformers

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    loaders = ct2_transformers._MODEL_LOADERS
    stock = loaders.get("MarianConfig")
    try:
        loaders["MarianConfig"] = _transformers_marian_loader(ct2_transformers)()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            converter = ctranslate2.converters.TransformersConverter(str(source))
            converter.convert(str(output), quantization=quantization, force=True)
    except Exception as error:
        raise ModelError(
            f"CTranslate2 conversion failed: {first_line(error)}",
            where=name,
            hint="check that the directory is a MarianMT checkpoint transformers can load",
        ) from error
    finally:
        if stock is not None:
            loaders["MarianConfig"] = stock


def _transformers_marian_loader(ct2_transformers: Any) -> type:
    """CTranslate2's Marian loader, changed to decode exactly as transformers does.

    The stock loader assumes a checkpoint converted from Marian, whose decoder starts from a
    zero embedding, and drops the ``<pad>`` row. transformers starts the decoder from the
    embedding of ``decoder_start_token_id`` (``<pad>``); in a model trained with transformers
    and tied embeddings that row is not zero, so the stock conversion translates differently.
    This loader keeps ``<pad>`` and starts from its embedding: identical for Marian-converted
    checkpoints (their ``<pad>`` row is zero), and faithful for models trained with transformers.
    Generating ``<pad>`` is prevented at decode time when the generation config bans it.
    """
    bart = ct2_transformers.BartLoader
    marian_loader: type = ct2_transformers.MarianMTLoader

    class TransformersMarianLoader(marian_loader):
        def get_model_spec(self, model: Any) -> Any:
            model.config.normalize_before = False
            model.config.normalize_embedding = False
            return bart.get_model_spec(self, model)

        def set_config(self, config, model, tokenizer):
            config.eos_token = tokenizer.eos_token
            config.unk_token = tokenizer.unk_token
            config.decoder_start_token = tokenizer.convert_ids_to_tokens(model.config.decoder_start_token_id)

        def set_decoder(self, spec, decoder):
            spec.start_from_zero_embedding = False
            bart.set_decoder(self, spec, decoder)

        def get_vocabulary(self, model, tokenizer):
            return bart.get_vocabulary(self, model, tokenizer)

    return TransformersMarianLoader


def _is_token_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _generation_config(source: Path) -> dict[str, Any]:
    """The model's ``generation_config.json`` (``{}`` when absent), with the fields the conversion reads checked.

    A malformed file is a ModelError naming it, not a silently different conversion.
    """
    path = source / "generation_config.json"
    generation = read_model_json(path)
    forced = generation.get("forced_eos_token_id")
    if not (forced is None or _is_token_id(forced) or (isinstance(forced, list) and all(map(_is_token_id, forced)))):
        raise ModelError(
            f"forced_eos_token_id must be a token id, a list of them or null, not {json.dumps(forced)[:60]}",
            where=str(path),
            hint="fix the value, or delete generation_config.json to use the settings in config.json",
        )
    banned = generation.get("bad_words_ids")
    if banned is not None and not (
        isinstance(banned, list) and all(isinstance(s, list) and s and all(map(_is_token_id, s)) for s in banned)
    ):
        raise ModelError(
            f"bad_words_ids must be a list of token-id lists, not {json.dumps(banned)[:60]}",
            where=str(path),
            hint="fix the value, e.g. [[58100]] to ban <pad>, or delete generation_config.json",
        )
    return generation


def _forced_eos(generation: dict[str, Any], hf_config: dict[str, Any]) -> bool:
    """Whether transformers forces ``</s>`` as the last token when the length limit is reached."""
    if "forced_eos_token_id" in generation:
        return generation["forced_eos_token_id"] is not None
    return hf_config.get("forced_eos_token_id") is not None


def _banned_tokens(source: Path, generation: dict[str, Any]) -> list[list[str]]:
    """``bad_words_ids`` of the generation config as token strings (CTranslate2's ``suppress_sequences``)."""
    banned = generation.get("bad_words_ids") or []
    if not banned:
        return []
    vocab = read_model_json(source / "vocab.json")
    by_id = {index: token for token, index in vocab.items()}
    return [[by_id[i] for i in sequence] for sequence in banned if all(i in by_id for i in sequence)]


def describe_size(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
