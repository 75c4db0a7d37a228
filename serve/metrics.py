"""Prometheus metrics (``GET /metrics``) and the structured access log.

1. Counters and histograms live in a registry of their own (one per app), so tests and several
   apps in one process never collide: ``idtrans_requests_total{method,route,status}``,
   ``idtrans_request_seconds{route}``, ``idtrans_batch_sentences`` (sentences per model batch) and
   ``idtrans_batch_seconds``.
2. Values the translator stack already counts are read at scrape time, not copied:
   ``idtrans_sentences_total``, ``idtrans_cache_hits_total`` / ``idtrans_cache_misses_total``,
   ``idtrans_glossary_terms_total{status}`` (applied / repaired / missed …),
   ``idtrans_glossary_reloads_total`` and ``idtrans_queue_sentences``.
3. The access log is one JSON object per request on the ``idtrans.serve.access`` logger
   (stderr by default): time, client, method, path, status, bytes, seconds, caller (``key:…``
   shown as its first 4 characters only, or ``ip:…``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from idtrans.errors import InputError
from idtrans.serve.access import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from idtrans.serve.batcher import MicroBatcher
    from idtrans.serve.engine import Engine

access_log = logging.getLogger("idtrans.serve.access")

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def setup_logging(access_log: str | None, level: str) -> None:
    """The access log to stderr or ``access_log`` (JSON lines), server messages to stderr at ``level``."""
    handler: logging.Handler = logging.StreamHandler(sys.stderr)
    if access_log is not None:
        try:
            handler = logging.FileHandler(access_log, encoding="utf-8")
        except OSError as error:
            raise InputError(
                f"cannot open the access log: {error.strerror}",
                where=access_log,
                hint="pass a writable file path to --access-log",
            ) from None
    handler.setFormatter(logging.Formatter("%(message)s"))
    setattr(handler, "idtrans_serve", True)  # noqa: B010 - marks the handlers this module added
    access = logging.getLogger("idtrans.serve.access")
    for old in [h for h in access.handlers if getattr(h, "idtrans_serve", False)]:
        access.removeHandler(old)
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    server = logging.getLogger("idtrans.serve")
    if not server.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        server.addHandler(stream)
    server.setLevel(level.upper())


class Metrics:
    """The app's metrics registry (see the module rules)."""

    def __init__(self, engine: Callable[[], Engine | None], batcher: Callable[[], MicroBatcher | None]) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry()
        self.requests = Counter(
            "idtrans_requests", "HTTP requests.", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "idtrans_request_seconds",
            "HTTP request latency.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_sentences = Histogram(
            "idtrans_batch_sentences",
            "Sentences per model batch.",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "idtrans_batch_seconds", "Model time per batch.", buckets=_LATENCY_BUCKETS, registry=self.registry
        )
        self.registry.register(_StackCollector(engine, batcher))

    def on_batch(self, size: int, seconds: float) -> None:
        self.batch_sentences.observe(size)
        self.batch_seconds.observe(seconds)

    def render(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _StackCollector:
    """Reads the stack's own counters at scrape time (rule 2)."""

    def __init__(self, engine: Callable[[], Engine | None], batcher: Callable[[], MicroBatcher | None]) -> None:
        self.engine = engine
        self.batcher = batcher

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        engine = self.engine()
        if engine is None:  # the model is still loading
            return
        yield CounterMetricFamily(
            "idtrans_sentences", "Sentences translated (cache hits included).", value=engine.counters.sentences
        )
        hits, misses = engine.cache_counts()
        yield CounterMetricFamily("idtrans_cache_hits", "Sentence cache hits.", value=hits)
        yield CounterMetricFamily("idtrans_cache_misses", "Sentence cache misses.", value=misses)
        terms = CounterMetricFamily("idtrans_glossary_terms", "Glossary terms by outcome.", labels=["status"])
        for status, count in engine.glossary_counts().items():
            if status != "sentences":
                terms.add_metric([status], count)
        yield terms
        yield CounterMetricFamily(
            "idtrans_glossary_reloads", "Glossary reloads after a file change.", value=engine.counters.glossary_reloads
        )
        batcher = self.batcher()
        yield GaugeMetricFamily(
            "idtrans_queue_sentences",
            "Sentences waiting for the model.",
            value=batcher.queued if batcher is not None else 0,
        )


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class AccessLog:
    """ASGI middleware: counts, times and logs every request (rules 1 and 3)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "bytes": 0}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
            elif message["type"] == "http.response.body":
                state["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            self._record(scope, state, time.perf_counter() - started)

    def _record(self, scope: Scope, state: dict[str, Any], seconds: float) -> None:
        route = _route_of(scope)
        self.metrics.requests.labels(scope.get("method", ""), route, str(state["status"])).inc()
        self.metrics.latency.labels(route).observe(seconds)
        client = scope.get("client") or ("", 0)
        caller = str(scope.get("state", {}).get("caller", ""))
        if caller.startswith("key:"):
            caller = caller[:8] + "…"
        access_log.info(
            json.dumps(
                {
                    "time": round(time.time(), 3),
                    "client": client[0],
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": state["status"],
                    "bytes": state["bytes"],
                    "seconds": round(seconds, 4),
                    "caller": caller,
                }
            )
        )
