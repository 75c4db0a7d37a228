"""Command-line options that commands of several stages share, declared once (typer's ``Annotated`` form).

A command takes one as ``quiet: Quiet = False``; the option's name, help and range live here only. The options of
commands that load a translator (``--model``, ``--glossary``, ``--backend``, …) live in
:mod:`idtrans.pipeline.options`, beside the stack they configure.
"""

from __future__ import annotations

from typing import Annotated

import typer

#: ``--quiet`` of ``translate`` and ``eval run``.
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no informational lines on stderr.")]
