"""Command-line options of the translator stack (:func:`~idtrans.pipeline.layers.factory.build_stack`), declared once.

``idtrans translate``, ``idtrans eval run`` and ``idtrans serve`` all load a translator, so they take the same
``--model``, ``--glossary``, ``--backend``, … options; a command lists one as ``backend: Backend = BackendName.auto``
and says in its own help what the option means there beyond this (for example, that ``eval run`` also checks terms
with the enforced glossary).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from idtrans.pipeline.layers.factory import BackendName
from idtrans.settings import MAX_WORD_ROUNDS

Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Hugging Face model id or local MarianMT directory (default: $IDTRANS_MODEL, else "
        "Helsinki-NLP/opus-mt-id-en, else the bundled model).",
    ),
]
Glossary = Annotated[
    Path | None,
    typer.Option(
        "--glossary", "-g", help="Glossary YAML to enforce (default: $IDTRANS_GLOSSARY, else the bundled one)."
    ),
]
NoGlossary = Annotated[bool, typer.Option("--no-glossary", help="Translate without glossary enforcement.")]
Backend = Annotated[
    BackendName,
    typer.Option("--backend", help="torch, ct2 (CTranslate2), or auto: ct2, converting the model once on first use."),
]
Beams = Annotated[int, typer.Option("--beams", min=1, max=32, help="Beam size.")]
WordRounds = Annotated[
    int | None,
    typer.Option(
        "--word-rounds",
        min=0,
        max=MAX_WORD_ROUNDS,
        help=(
            "Decode a sentence again, blocking them, up to N times while its English has words that are not"
            " English (default: $IDTRANS_WORD_ROUNDS, else 3; 0: never)."
        ),
    ),
]
NoRerank = Annotated[
    bool,
    typer.Option(
        "--no-rerank",
        help="Keep the model's first translation: do not choose among its best few with its reverse model"
        " (a model with a rerank.json, such as the bundled one).",
    ),
]
ModelThreads = Annotated[
    int | None, typer.Option("--threads", min=1, help="CPU threads for each model copy (default: all cores).")
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the persistent sentence cache.")]
MemoryFile = Annotated[
    Path | None,
    typer.Option(
        "--tm", help="Translation memory file (default: $IDTRANS_TM, else ~/.local/share/idtrans/memory.sqlite3)."
    ),
]
