"""``idtrans translate`` for many articles with ``--engine local|ray`` or an archive input (thin caller)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from idtrans.errors import InputError
from idtrans.pipeline.layers.factory import build_stack
from idtrans.pipeline.scale.archives import Executor, JobResult, is_archive, local_executor, run_batch
from idtrans.progress import ProgressBar

ENGINES = ("local", "ray")


def _executor(
    engine: str,
    stack_options: dict[str, Any],
    *,
    address: str | None,
    actors: int,
    threads_per_actor: int,
    keep_boilerplate: bool,
) -> Executor:
    if engine == "ray":
        from idtrans.pipeline.scale.ray_engine import ray_executor

        return ray_executor(
            stack_options,
            address=address,
            actors=actors,
            threads_per_actor=threads_per_actor,
            keep_boilerplate=keep_boilerplate,
        )
    return local_executor(build_stack(**stack_options).translator, keep_boilerplate=keep_boilerplate)


def run_batch_command(
    source: str,
    output: Path | None,
    *,
    engine: str,
    address: str | None,
    actors: int,
    threads_per_actor: int,
    stack_options: dict[str, Any],
    fmt: str,
    force: bool,
    keep_boilerplate: bool,
    quiet: bool,
) -> None:
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", hint=f"use one of: {', '.join(ENGINES)}")
    if output is None:
        raise InputError(
            "a batch run needs an output",
            where=source,
            hint="add -o OUTPUT_DIR (directory input) or -o OUT.jsonl / OUT.parquet (archive input)",
        )
    if not is_archive(source) and not Path(source).is_dir():
        raise InputError(
            f"--engine {engine} needs a directory or a JSONL/Parquet archive",
            where=source,
            hint="pass a directory of articles or an archive file",
        )
    execute = _executor(
        engine,
        stack_options,
        address=address,
        actors=actors,
        threads_per_actor=threads_per_actor,
        keep_boilerplate=keep_boilerplate,
    )
    progress = ProgressBar(enabled=not quiet)

    def on_result(result: JobResult) -> None:
        progress(1)
        if result.status == "failed":
            typer.echo(f"{result.key}: skipped, {result.error}", err=True)

    try:
        summary = run_batch(
            source,
            str(output),
            execute,
            fmt=fmt,
            force=force,
            on_result=on_result,
            on_start=lambda total: progress.start(total, "articles"),
        )
    finally:
        progress.stop()
    if not quiet:
        typer.echo(f"{summary.line()} into {output}", err=True)
    if summary.failed:
        total = summary.done + summary.skipped + len(summary.failed)
        raise InputError(
            f"{len(summary.failed)} of {total} article(s) could not be translated (listed above)",
            where=source,
            hint="fix or remove them and rerun: finished articles are kept and skipped",
        )
