"""Converted CTranslate2 copies of a model: their on-disk format, and finding them again.

A converted directory is self-contained: CTranslate2's ``model.bin``, ``config.json`` and
``shared_vocabulary.json``, the model's own tokenizer files, the original transformers config as
``hf_config.json``, and ``idtrans-convert.json`` recording where it came from (source path and
weights digest, quantization, library versions, date). :mod:`idtrans.pipeline.models.convert`
writes them.

Where converted copies live (checked in this order by :func:`converted_copy`, int8 preferred
over int16 over float32 in each place):

1. ``<model_dir>/ct2-<quantization>/`` — beside the model, e.g. shipped with it;
2. ``<cache dir>/ct2/<weights digest>-<quantization>/`` — the default output of
   ``idtrans model convert SRC`` (the cache dir is ``$XDG_CACHE_HOME/idtrans``, else
   ``~/.cache/idtrans``). Keyed by the digest of the source weights, so a model reached through
   another path, or a Hugging Face snapshot, finds its copy, and a changed model does not.

A copy whose recorded source digest no longer matches the model is ignored (stale).
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from idtrans.errors import ModelError
from idtrans.settings import cache_dir

#: Preference when several converted copies exist: smallest and fastest first.
PREFERENCE = ("int8", "int16", "float32")
PROVENANCE = "idtrans-convert.json"
BESIDE_PREFIX = "ct2-"


#: The files whose content identifies a model.
_DIGEST_SUFFIXES = frozenset({".json", ".safetensors", ".bin", ".spm"})
#: Digests already computed in this process, keyed by the directory and each hashed file's name, size,
#: modification time and inode: a run asks for a model's digest several times (finding, converting and
#: loading a copy), and hashing the weights (~300 MB for opus-mt) is the slow part.
_DIGESTS: dict[tuple[str, tuple[tuple[str, int, int, int], ...]], str] = {}
_DIGESTS_LOCK = threading.Lock()


def weights_digest(directory: Path) -> str:
    """A short content hash of a model directory's weights and config (model identity for caches).

    Computed once per process for unchanged files (see ``_DIGESTS``).
    """
    directory = Path(directory)
    names = sorted(p.name for p in directory.iterdir() if p.suffix in _DIGEST_SUFFIXES)
    stats = []
    for name in names:
        info = (directory / name).stat()
        stats.append((name, info.st_size, info.st_mtime_ns, info.st_ino))
    key = (str(directory.resolve()), tuple(stats))
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    for name in names:
        with open(directory / name, "rb") as handle:
            digest.update(name.encode())
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    result = digest.hexdigest()[:16]
    with _DIGESTS_LOCK:
        _DIGESTS[key] = result
    return result


def model_digest(directory: Path) -> str:
    """The content digest of a transformers model directory (the same as the torch backend's identity)."""
    return weights_digest(Path(directory))


def default_converted_dir(model_dir: Path, quantization: str = "int8", digest: str | None = None) -> Path:
    """Where ``idtrans model convert SRC`` puts a copy when no destination is given."""
    return cache_dir() / "ct2" / f"{digest or model_digest(model_dir)}-{quantization}"


def is_converted_dir(path: Path) -> bool:
    """True for a directory written by :func:`convert_model` (CTranslate2 weights plus provenance)."""
    path = Path(path)
    return (path / "model.bin").is_file() and (path / PROVENANCE).is_file()


def read_provenance(path: Path) -> dict:
    """The provenance record of a converted directory, or ModelError when it is missing or unreadable."""
    record_file = Path(path) / PROVENANCE
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ModelError(
            f"not a converted model: no {PROVENANCE}",
            where=str(path),
            hint="convert a MarianMT directory with: idtrans model convert SRC DST",
        ) from error
    except (OSError, ValueError) as error:
        raise ModelError(
            f"{PROVENANCE} is unreadable: {error}",
            where=str(path),
            hint="convert the model again (idtrans model convert SRC DST --force)",
        ) from error
    if not isinstance(record, dict) or "quantization" not in record or "source_digest" not in record:
        raise ModelError(
            f"{PROVENANCE} lacks the quantization or source digest",
            where=str(path),
            hint="convert the model again (idtrans model convert SRC DST --force)",
        )
    return record


def file_stats(directory: Path) -> dict[str, list[int]]:
    """Size and modification time of the files the weights digest covers (a cheap staleness check)."""
    stats = {}
    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        if entry.is_file() and entry.suffix in {".json", ".safetensors", ".bin", ".spm"}:
            info = entry.stat()
            stats[entry.name] = [info.st_size, info.st_mtime_ns]
    return stats


def _matches_source(candidate: Path, model_dir: Path, digest: str | None) -> bool:
    try:
        record = read_provenance(candidate)
    except ModelError:
        return False
    if digest is not None:
        return record.get("source_digest") == digest
    # Beside the model: unchanged file sizes and times mean unchanged weights, no hashing needed.
    if record.get("source_files") == file_stats(model_dir):
        return True
    return record.get("source_digest") == model_digest(model_dir)


def converted_copy(model_dir: Path | str) -> Path | None:
    """The converted copy of the transformers model in ``model_dir``, or None (see the module doc).

    ``model_dir`` may itself be a converted directory, which is then returned as is.
    """
    model_dir = Path(model_dir)
    if is_converted_dir(model_dir):
        return model_dir
    if not (model_dir / "config.json").is_file():
        return None
    for quantization in PREFERENCE:
        beside = model_dir / f"{BESIDE_PREFIX}{quantization}"
        if is_converted_dir(beside) and _matches_source(beside, model_dir, None):
            return beside
    root = cache_dir() / "ct2"
    if not root.is_dir():
        return None
    digest = model_digest(model_dir)
    for quantization in PREFERENCE:
        cached = root / f"{digest}-{quantization}"
        if is_converted_dir(cached) and _matches_source(cached, model_dir, digest):
            return cached
    return None
