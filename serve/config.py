"""Every setting of ``idtrans serve`` in one place.

1. The CLI builds a :class:`ServeConfig` from its options; tests build one directly.
2. Worker processes (``--workers N``) get the same config through ``IDTRANS_SERVE_CONFIG`` (JSON),
   because uvicorn starts them by importing the app factory.
3. API keys come from ``--api-keys FILE`` (one key a line, ``#`` comments) and/or the environment
   variable ``IDTRANS_API_KEYS`` (keys separated by commas or whitespace). No keys: open server.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from idtrans.errors import InputError
from idtrans.pipeline.models.resolve import ModelChoice, choose_model

CONFIG_ENV = "IDTRANS_SERVE_CONFIG"
API_KEYS_ENV = "IDTRANS_API_KEYS"


@dataclass
class ServeConfig:
    """Server settings (defaults are what ``idtrans serve`` uses without options)."""

    model: str | None = None
    glossary: str | None = None
    no_glossary: bool = False
    backend: str = "auto"
    threads: int | None = None
    beams: int = 4
    rerank: bool = True  # with the model's reverse model, when it declares one (rerank.json)
    cache: bool = True
    cache_path: str | None = None
    max_batch: int = 32
    batch_wait_ms: float = 10.0
    cross_request: bool = True
    max_body_bytes: int = 1_000_000
    max_chars: int = 100_000
    rate_limit: int = 0
    api_keys_file: str | None = None
    api_keys: list[str] = field(default_factory=list)
    root_path: str = ""
    access_log: str | None = None
    log_level: str = "info"
    #: The parent's :class:`~idtrans.pipeline.models.resolve.ModelChoice` (name, origin, path, fallback_reason)
    #: for worker processes: they load that directory instead of resolving ``model`` (and probing the Hub) again.
    model_choice: dict[str, str | None] | None = None

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeConfig:
        raw = os.environ.get(CONFIG_ENV)
        if not raw:
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in json.loads(raw).items() if k in known})

    def chosen_model(self) -> ModelChoice:
        """What to load: the parent's model choice when it passed one, else ``model`` resolved now."""
        if self.model_choice is None:
            return choose_model(self.model)
        fields_ = self.model_choice
        return ModelChoice(
            str(fields_["name"]),
            str(fields_["origin"]),
            Path(str(fields_["path"])),
            fallback_reason=fields_.get("fallback_reason"),
        )

    def resolved_keys(self) -> frozenset[str]:
        """The API keys in force: the file's, the environment's and any given directly."""
        keys = set(self.api_keys)
        if self.api_keys_file:
            keys.update(read_key_file(Path(self.api_keys_file)))
        keys.update(k for k in os.environ.get(API_KEYS_ENV, "").replace(",", " ").split() if k)
        return frozenset(keys)


def read_key_file(path: Path) -> list[str]:
    """One key a line; blank lines and ``#`` comments are ignored."""
    try:
        lines = path.expanduser().read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"cannot read the API key file: {error}", where=str(path), hint="pass a UTF-8 text file with one key a line"
        ) from None
    keys = [line.split("#", 1)[0].strip() for line in lines]
    keys = [k for k in keys if k]
    if not keys:
        raise InputError(
            "the API key file has no keys",
            where=str(path),
            hint="add one key a line, or leave out --api-keys for an open server",
        )
    return keys


def choice_fields(choice: ModelChoice) -> dict[str, str | None]:
    """``choice`` as JSON-ready fields for :attr:`ServeConfig.model_choice`."""
    return {
        "name": choice.name,
        "origin": choice.origin,
        "path": str(choice.path),
        "fallback_reason": choice.fallback_reason,
    }
