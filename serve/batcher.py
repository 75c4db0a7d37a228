"""The micro-batching queue in front of the model.

1. Requests put their sentences on one queue (:meth:`MicroBatcher.translate`, awaited on the event
   loop); one worker thread takes batches off it and runs the model, so the event loop never runs
   model code.
2. When a sentence arrives at an idle worker, the worker waits ``wait`` seconds (default 10 ms)
   for more, then takes up to ``max_batch`` sentences: requests arriving together share a batch.
3. Fair scheduling: a batch takes one sentence from each waiting request in turn (arrival order),
   round after round, until it is full. A 60-sentence article is translated over several batches
   and a one-sentence request arriving meanwhile rides in the next batch, not after the article.
4. ``cross_request=False`` takes the sentences of one request only per batch (one request at a
   time, up to ``max_batch`` sentences): the baseline the load test compares against.
5. A batch that fails fails only the requests that had sentences in it, with the error raised.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from idtrans.pipeline.layers.translator import Translation

log = logging.getLogger("idtrans.serve")

TranslateFn = Callable[[Sequence[str]], list[Translation]]


@dataclass
class _Job:
    sentences: list[str]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[Translation]]
    results: list[Translation | None] = field(default_factory=list)
    next: int = 0
    done: int = 0
    failed: bool = False

    def __post_init__(self) -> None:
        self.results = [None] * len(self.sentences)

    @property
    def waiting(self) -> bool:
        return self.next < len(self.sentences) and not self.failed


class BatcherClosed(RuntimeError):
    """The server is shutting down."""


class MicroBatcher:
    """Collects sentences from concurrent requests into model batches (see the module rules)."""

    def __init__(
        self,
        translate: TranslateFn,
        *,
        max_batch: int = 32,
        wait: float = 0.01,
        cross_request: bool = True,
        on_batch: Callable[[int, float], None] | None = None,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._translate = translate
        self.max_batch = max_batch
        self.wait = wait
        self.cross_request = cross_request
        self._on_batch = on_batch
        self._on_stop = on_stop
        self._jobs: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="idtrans-model", daemon=True)
        self._thread.start()

    async def translate(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate ``sentences`` (one Translation each, in order) through the shared queue."""
        if not sentences:
            return []
        loop = asyncio.get_running_loop()
        job = _Job(list(sentences), loop, loop.create_future())
        with self._cond:
            if self._closed:
                raise BatcherClosed("the server is shutting down")
            self._jobs.append(job)
            self._cond.notify()
        return await job.future

    @property
    def queued(self) -> int:
        """Sentences waiting for the model."""
        with self._cond:
            return sum(len(j.sentences) - j.next for j in self._jobs)

    def close(self, timeout: float = 30.0) -> None:
        """Finish the queued work, then stop the worker thread."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)

    # -- worker thread ----------------------------------------------------------------------

    def _take(self) -> list[tuple[_Job, int]]:
        """The next batch as (job, sentence index) pairs; called with the condition held."""
        batch: list[tuple[_Job, int]] = []
        jobs = [j for j in self._jobs if j.waiting]
        if not self.cross_request:
            jobs = jobs[:1]
        while len(batch) < self.max_batch and jobs:
            for job in list(jobs):
                if len(batch) >= self.max_batch:
                    break
                batch.append((job, job.next))
                job.next += 1
                if not job.waiting:
                    jobs.remove(job)
        self._jobs = deque(j for j in self._jobs if j.waiting)
        return batch

    def _next_batch(self) -> list[tuple[_Job, int]] | None:
        with self._cond:
            while not any(j.waiting for j in self._jobs):
                if self._closed:
                    return None
                self._cond.wait()
            deadline = time.monotonic() + self.wait
            while self.cross_request and self._queued_locked() < self.max_batch and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self._take()

    def _queued_locked(self) -> int:
        return sum(len(j.sentences) - j.next for j in self._jobs if not j.failed)

    def _run(self) -> None:
        try:
            while True:
                batch = self._next_batch()
                if batch is None:
                    return
                self._run_batch(batch)
        finally:
            if self._on_stop is not None:
                self._on_stop()

    def _run_batch(self, batch: list[tuple[_Job, int]]) -> None:
        started = time.perf_counter()
        try:
            outputs = self._translate([job.sentences[i] for job, i in batch])
            if len(outputs) != len(batch):
                raise RuntimeError(f"{len(batch)} sentences in, {len(outputs)} translations out")
        except BaseException as error:
            log.exception("model batch of %d sentences failed", len(batch))
            for job in {id(j): j for j, _ in batch}.values():
                job.failed = True
                job.loop.call_soon_threadsafe(_set_exception, job.future, error)
            return
        if self._on_batch is not None:
            self._on_batch(len(batch), time.perf_counter() - started)
        for (job, index), output in zip(batch, outputs):
            job.results[index] = output
            job.done += 1
            if job.done == len(job.sentences) and not job.failed:
                results = [r for r in job.results if r is not None]
                job.loop.call_soon_threadsafe(_set_result, job.future, results)


def _set_result(future: asyncio.Future[list[Translation]], value: list[Translation]) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[list[Translation]], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
