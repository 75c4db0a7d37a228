"""Command-line options that several commands share, declared once (typer's ``Annotated`` form).

A command takes one as ``beams: Beams = 4``; the option's name, help and range live here only.
Options whose help differs per command stay with their command.
"""

from __future__ import annotations

from typing import Annotated

import typer

#: ``--beams`` of ``translate``, ``eval run`` and ``serve``.
Beams = Annotated[int, typer.Option("--beams", min=1, max=32, help="Beam size.")]

#: ``--threads`` of ``translate`` and ``eval run``.
ModelThreads = Annotated[
    int | None, typer.Option("--threads", min=1, help="CPU threads for the model (default: all cores).")
]

#: ``--quiet`` of ``translate`` and ``eval run``.
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no informational lines on stderr.")]
