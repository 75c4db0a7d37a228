"""Shared helpers of the server tests: a tiny-model engine and a glossary copy per module."""

from __future__ import annotations

from pathlib import Path

from idtrans.glossary import default_glossary_path
from idtrans.serve.config import ServeConfig
from idtrans.serve.engine import Engine, load_engine


def glossary_copy(directory: Path) -> Path:
    path = directory / "glossary.yaml"
    path.write_text(default_glossary_path().read_text(encoding="utf-8"), encoding="utf-8")
    return path


def tiny_config(model_dir: Path, directory: Path, **overrides: object) -> ServeConfig:
    settings: dict[str, object] = dict(
        model=str(model_dir),
        glossary=str(glossary_copy(directory)),
        backend="torch",
        threads=1,
        beams=1,
        cache_path=str(directory / "cache.sqlite3"),
        batch_wait_ms=5.0,
    )
    settings.update(overrides)
    return ServeConfig(**settings)  # type: ignore[arg-type]


def tiny_engine(config: ServeConfig) -> Engine:
    return load_engine(config)
