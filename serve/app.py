"""The FastAPI application of ``idtrans serve`` (thin: parse, check access, call, answer).

Endpoints: ``POST /translate`` and ``GET /languages`` (LibreTranslate's shapes), ``POST
/v1/articles``, ``/v1/glossary…`` (see :mod:`idtrans.serve.glossary_api`), ``GET /health``,
``GET /metrics`` and the web page at ``/``. Every error is ``{"error": message}`` (plus
``hint`` when there is one) with 400/403/404/409/413/429/500; a traceback goes to the server
log, never into a response.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from idtrans.errors import IdtransError
from idtrans.serve.access import AccessDenied, BodyLimit, Gate, RateLimiter, key_from_headers
from idtrans.serve.batcher import MicroBatcher
from idtrans.serve.config import ServeConfig
from idtrans.serve.engine import Engine, load_engine
from idtrans.serve.glossary_api import build_router
from idtrans.serve.lt import parse_translate_request, read_body, translate_response
from idtrans.serve.metrics import AccessLog, Metrics, setup_logging
from idtrans.serve.texts import article_response, assemble, read_article

log = logging.getLogger("idtrans.serve")
STATIC = Path(__file__).resolve().parent / "static"
LANGUAGES = [{"code": "id", "name": "Indonesian", "targets": ["en"]}]


class Runtime:
    """What the endpoints share: the engine, the batcher, the access gate, the metrics."""

    def __init__(self, config: ServeConfig, engine: Engine | None) -> None:
        self.config = config
        self.engine = engine
        self.batcher: MicroBatcher | None = None
        self.gate = Gate(config.resolved_keys(), RateLimiter(config.rate_limit))
        self.metrics: Metrics | None = None

    async def start(self) -> None:
        if self.engine is None:
            self.engine = await asyncio.to_thread(load_engine, self.config)
        engine = self.engine
        metrics = self.metrics
        self.batcher = MicroBatcher(
            engine.translate,
            max_batch=self.config.max_batch,
            wait=self.config.batch_wait_ms / 1000.0,
            cross_request=self.config.cross_request,
            on_batch=metrics.on_batch if metrics else None,
            on_stop=engine.close,
        )

    async def stop(self) -> None:
        if self.batcher is not None:
            await asyncio.to_thread(self.batcher.close)

    def admit(self, request: Request, body_key: str | None = None) -> None:
        key = body_key or key_from_headers(request.headers) or request.query_params.get("api_key")
        client = request.client.host if request.client else "?"
        request.state.caller = self.gate.admit(key, client)

    def check_chars(self, count: int) -> None:
        if count > self.config.max_chars:
            raise AccessDenied(
                413, f"Invalid request: request ({count} characters) exceeds text limit ({self.config.max_chars})"
            )

    async def translate(self, sentences: list[str]) -> list[Any]:
        if self.batcher is None:
            raise AccessDenied(503, "the server is starting or stopping")
        return await self.batcher.translate(sentences)


def _error(status: int, message: str, hint: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if hint:
        body["hint"] = hint
    return JSONResponse(body, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AccessDenied)
    async def denied(_: Request, error: AccessDenied) -> JSONResponse:
        return _error(error.status, error.message, headers=error.headers)

    @app.exception_handler(IdtransError)
    async def idtrans_error(_: Request, error: IdtransError) -> JSONResponse:
        status = 404 if error.message.startswith("no entry with id") else 400
        return _error(status, str(error), error.hint)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _error(400, f"Invalid request: {where}: {first.get('msg', 'invalid')}".replace(": :", ":"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return _error(error.status_code, str(error.detail))

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=error)
        return _error(500, "Internal server error (details are in the server log)")


def _install_routes(app: FastAPI, runtime: Runtime) -> None:
    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/health")
    async def health() -> dict[str, Any]:
        engine = runtime.engine
        ready = engine is not None and runtime.batcher is not None
        return {
            "status": "ok" if ready else "starting",
            **(engine.status() if engine else {}),
            "queue": runtime.batcher.queued if runtime.batcher else 0,
            "api_keys": bool(runtime.gate.keys),
            "rate_limit_per_minute": runtime.config.rate_limit,
        }

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        assert runtime.metrics is not None
        payload, content_type = runtime.metrics.render()
        return Response(payload, media_type=content_type)

    @app.get("/languages")
    async def languages() -> list[dict[str, Any]]:
        return LANGUAGES

    @app.post("/translate")
    async def translate(request: Request) -> dict[str, Any]:
        parsed = await parse_translate_request(request)
        runtime.admit(request, parsed.api_key)
        runtime.check_chars(parsed.chars)
        translations = await runtime.translate(parsed.sentences)
        return translate_response(parsed, [t.text for t in translations])

    @app.post("/v1/articles")
    async def articles(request: Request) -> dict[str, Any]:
        body = await read_body(request)
        runtime.admit(request, _text_field(body, "api_key") or None)
        text = _text_field(body, "text")
        if not text.strip():
            raise AccessDenied(400, "Invalid request: missing text parameter")
        runtime.check_chars(len(text))
        keep = str(body.get("keep_boilerplate", "")).lower() in ("1", "true", "yes", "on")
        name = _text_field(body, "name") or "<request>"
        # parsing and rendering are plain Python, but a long article takes a while: off the event loop too
        article = await asyncio.to_thread(read_article, text, keep_boilerplate=keep, name=name)
        translations = await runtime.translate([unit[3] for unit in article.units()])
        return await asyncio.to_thread(lambda: article_response(assemble(article, translations)))

    app.include_router(build_router(lambda: runtime.engine.glossary_path if runtime.engine else None, runtime.admit))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def _text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AccessDenied(400, f"Invalid request: {name} must be a string")
    return value


def create_app(config: ServeConfig | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The ASGI app: ``engine`` may be given (tests); otherwise the model loads at startup."""
    config = config or ServeConfig()
    runtime = Runtime(config, engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="idtrans",
        summary="Indonesian to English news translation",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    runtime.metrics = Metrics(lambda: runtime.engine, lambda: runtime.batcher)
    _install_error_handlers(app)
    _install_routes(app, runtime)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(AccessLog, metrics=runtime.metrics)
    return app


def create_app_from_env() -> FastAPI:
    """The app factory uvicorn's worker processes call (config from ``IDTRANS_SERVE_CONFIG``)."""
    config = ServeConfig.from_env()
    setup_logging(config.access_log, config.log_level)
    return create_app(config)
