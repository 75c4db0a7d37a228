"""The Ray engine (``idtrans[scale]``): articles as a Ray dataset, translated by a pool of stateful actors.

Each actor builds its translator once in ``__init__`` (CTranslate2 objects cannot be pickled) with a
pinned thread count, then translates its batch one article at a time through :func:`run_job`, which
writes each output atomically. If an actor dies, Ray retries its batch; an article that was already
written is simply rewritten with the same bytes, so there is never a duplicate or half-written file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from idtrans.errors import InputError
from idtrans.pipeline.layers.factory import build_stack
from idtrans.pipeline.scale.archives import RAY_HINT, Executor, JobResult, run_job


def import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError("--engine ray needs Ray, which is not installed", hint=RAY_HINT) from None
    return ray


class _ArticleWorker:
    """A Ray Data callable class: one translator per actor, one article at a time."""

    def __init__(self, stack_options: dict[str, Any], keep_boilerplate: bool) -> None:
        self.translator = build_stack(**stack_options).translator
        self.keep_boilerplate = keep_boilerplate

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows = [dict(zip(batch, values)) for values in zip(*(list(v) for v in batch.values()))]
        results = [asdict(run_job(row, self.translator, keep_boilerplate=self.keep_boilerplate)) for row in rows]
        return {"result": [json.dumps(r) for r in results]}


def ray_executor(
    stack_options: dict[str, Any],
    *,
    address: str | None = None,
    actors: int = 1,
    threads_per_actor: int = 1,
    keep_boilerplate: bool = False,
) -> Executor:
    """An executor for :func:`~idtrans.pipeline.scale.archives.run_batch` running on Ray (embedded or a cluster)."""
    ray = import_ray()

    def execute(jobs: list[dict[str, Any]]) -> Iterator[JobResult]:
        if not jobs:
            return
        if not ray.is_initialized():
            ray.init(
                address=address,
                ignore_reinit_error=True,
                log_to_driver=False,
                include_dashboard=False,
                configure_logging=False,
            )
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the driver shows one bar over articles instead
        context.print_on_execution_start = False
        context.execution_options.preserve_order = True
        options = {**stack_options, "threads": threads_per_actor}
        dataset = ray.data.from_items(jobs, override_num_blocks=min(len(jobs), max(1, actors * 4)))
        translated = dataset.map_batches(
            _ArticleWorker,
            fn_constructor_args=(options, keep_boilerplate),
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=threads_per_actor,
            batch_format="numpy",
            max_restarts=-1,
            max_task_retries=-1,
        )
        for row in translated.iter_rows():
            yield JobResult(**json.loads(row["result"]))

    return execute
