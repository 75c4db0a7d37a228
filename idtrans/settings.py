"""Settings: the environment variables idtrans reads and its default paths, in one place.

| variable | meaning | default |
| --- | --- | --- |
| ``IDTRANS_MODEL`` | model id or directory when ``--model`` is not given | opus-mt, else the bundled model |
| ``IDTRANS_GLOSSARY`` | glossary YAML when ``--glossary`` is not given | the bundled starter glossary |
| ``IDTRANS_CACHE`` | sentence-cache file | ``<cache dir>/sentences.sqlite3`` |
| ``IDTRANS_DATA`` | folder of named test sets for ``idtrans eval run`` | none (``--data-dir``) |
| ``IDTRANS_WORD_ROUNDS`` | rounds of decoding again, words not English blocked (``--word-rounds``) | 3 |
| ``XDG_CACHE_HOME`` | parent of idtrans' cache directory | ``~/.cache`` |

The glossary argument of the Python API and of the commands has one meaning per value
(:data:`GlossarySpec`): :data:`DEFAULT_GLOSSARY` (``$IDTRANS_GLOSSARY``, else the bundled
glossary), ``None`` (no glossary), or a path.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Literal

from idtrans.errors import InputError
from idtrans.glossary.loader import default_glossary_path

MODEL_ENV = "IDTRANS_MODEL"
GLOSSARY_ENV = "IDTRANS_GLOSSARY"
CACHE_ENV = "IDTRANS_CACHE"
DATA_ENV = "IDTRANS_DATA"
WORD_ROUNDS_ENV = "IDTRANS_WORD_ROUNDS"
#: Rounds of decoding again a sentence whose English has words that are not English (``--word-rounds``).
DEFAULT_WORD_ROUNDS = 3
MAX_WORD_ROUNDS = 10
CACHE_FILENAME = "sentences.sqlite3"


class _Default(Enum):
    """The type of :data:`DEFAULT_GLOSSARY` (an enum member, so type checkers can tell it apart)."""

    GLOSSARY = "default glossary"

    def __repr__(self) -> str:
        return "DEFAULT_GLOSSARY"


#: "``$IDTRANS_GLOSSARY``, else the bundled starter glossary".
DEFAULT_GLOSSARY = _Default.GLOSSARY

#: Which glossary to enforce: :data:`DEFAULT_GLOSSARY`, ``None`` for none, or a YAML path.
GlossarySpec = str | Path | None | Literal[_Default.GLOSSARY]


def env(name: str) -> str | None:
    """The value of environment variable ``name``, stripped; ``None`` when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def word_rounds(explicit: int | None = None) -> int:
    """``explicit``, else ``$IDTRANS_WORD_ROUNDS``, else :data:`DEFAULT_WORD_ROUNDS` (0 to :data:`MAX_WORD_ROUNDS`)."""
    if explicit is not None:
        return explicit
    raw = env(WORD_ROUNDS_ENV)
    if raw is None:
        return DEFAULT_WORD_ROUNDS
    if not raw.isdigit() or int(raw) > MAX_WORD_ROUNDS:
        raise InputError(
            f"${WORD_ROUNDS_ENV} must be a whole number from 0 to {MAX_WORD_ROUNDS}, not {raw!r}",
            hint=f"e.g. {WORD_ROUNDS_ENV}=1, or unset it for the default {DEFAULT_WORD_ROUNDS}",
        )
    return int(raw)


def cache_dir() -> Path:
    """idtrans' cache directory: ``$XDG_CACHE_HOME/idtrans``, else ``~/.cache/idtrans``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache") / "idtrans"


def default_cache_path() -> Path:
    """``$IDTRANS_CACHE``, else ``sentences.sqlite3`` in idtrans' cache directory."""
    override = env(CACHE_ENV)
    return Path(override).expanduser() if override else cache_dir() / CACHE_FILENAME


def glossary_file(explicit: str | Path | None = None) -> Path:
    """The glossary file to read or edit: ``explicit`` > ``$IDTRANS_GLOSSARY`` > the bundled one."""
    if explicit is not None:
        return Path(explicit).expanduser()
    from_env = env(GLOSSARY_ENV)
    return Path(from_env).expanduser() if from_env else default_glossary_path()


def resolve_glossary(spec: GlossarySpec) -> Path | None:
    """The glossary file ``spec`` names (see :data:`GlossarySpec`), or ``None`` for no glossary."""
    if spec is None:
        return None
    if spec is DEFAULT_GLOSSARY:
        return glossary_file()
    return glossary_file(spec)


def glossary_option(path: str | Path | None, disabled: bool) -> GlossarySpec:
    """The :data:`GlossarySpec` of the commands' ``--glossary PATH`` / ``--no-glossary`` pair."""
    if path is not None and disabled:
        raise InputError("--glossary and --no-glossary contradict each other", hint="pass one of them")
    if disabled:
        return None
    return DEFAULT_GLOSSARY if path is None else path
