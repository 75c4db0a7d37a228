"""Access rules: API keys, per-key rate limits and the request size limit.

1. Keys: when any key is configured (see :mod:`idtrans.serve.config`), every translating and
   glossary endpoint needs one, given as LibreTranslate does (``api_key`` in the JSON or form
   body, or the query string) or in an ``X-API-Key`` / ``Authorization: Bearer`` header; a
   missing or unknown key is 403 ``{"error": "Invalid API key"}``. ``/``, ``/health``,
   ``/languages``, ``/metrics`` and the page's static files stay open.
2. Rate limit: ``rate`` requests per minute per key (per client address without keys), a token
   bucket that allows a burst of ``rate``; over it is 429 with ``Retry-After``. Per process: with
   ``--workers N`` each worker counts on its own.
3. Size: a body over ``max_bytes`` is 413 before any of it reaches an endpoint (the
   ``Content-Length`` header is checked first, then the bytes actually received).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AccessDenied(Exception):
    """A request refused by an access rule: answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class RateLimiter:
    """Token buckets: ``rate`` requests per minute per caller, bursts up to ``rate``."""

    def __init__(self, rate: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, caller: str) -> None:
        """Take one token for ``caller`` or raise 429."""
        if self.rate <= 0:
            return
        per_second = self.rate / 60.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(caller, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * per_second)
            if tokens < 1.0:
                self._buckets[caller] = (tokens, now)
                retry = max(1, math.ceil((1.0 - tokens) / per_second))
                raise AccessDenied(
                    429, f"Too many requests: limit is {self.rate} per minute", {"Retry-After": str(retry)}
                )
            self._buckets[caller] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:  # forget idle callers; bounded memory
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}


def key_from_headers(headers: Any) -> str | None:
    key = headers.get("x-api-key")
    if key:
        return str(key).strip()
    auth = str(headers.get("authorization") or "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


class Gate:
    """API key check plus rate limit, applied per request by the endpoints that need them."""

    def __init__(self, keys: frozenset[str], limiter: RateLimiter) -> None:
        self.keys = keys
        self.limiter = limiter

    def admit(self, key: str | None, client: str) -> str:
        """Check ``key`` and the caller's rate; returns who was counted (``key:…`` or ``ip:…``)."""
        if self.keys and (not key or key not in self.keys):
            raise AccessDenied(403, "Invalid API key")
        caller = f"key:{key}" if self.keys and key else f"ip:{client}"
        self.limiter.check(caller)
        return caller


class BodyLimit:
    """ASGI middleware: 413 ``{"error": …}`` for a request body over ``max_bytes`` (rule 3)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(send, int(length))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await self._too_large(send, size)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send, size: int) -> None:
        payload = json.dumps({"error": f"Request too large: {size} bytes (the limit is {self.max_bytes})"})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": payload.encode()})
