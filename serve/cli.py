"""``idtrans serve``: run the HTTP server (needs the optional extra ``idtrans[serve]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from idtrans.errors import IdtransError
from idtrans.pipeline.layers.factory import BackendName
from idtrans.pipeline.options import Backend, Beams, Glossary, Model, ModelThreads, NoCache, NoGlossary, NoRerank
from idtrans.serve.config import ServeConfig
from idtrans.serve.server import run_server
from idtrans.settings import glossary_option

EXTRA_MODULES = ("fastapi", "uvicorn", "prometheus_client", "multipart")
INSTALL_HINT = "install the server extra: pip install 'idtrans[serve]' (from a checkout: pip install -e '.[serve]')"


def require_extra() -> None:
    """Stop with one line naming the missing package when the ``serve`` extra is not installed."""
    import importlib.util

    missing = [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise IdtransError(f"idtrans serve needs {', '.join(missing)}, which is not installed", hint=INSTALL_HINT)


def _banner(host: str, port: int, root_path: str, workers: int, keys: bool) -> None:
    typer.echo(
        f"idtrans serve: http://{host}:{port}{root_path}/ ({workers} worker(s), "
        f"{'API keys required' if keys else 'no API keys'})",
        err=True,
    )


# `idtrans serve` options, declared once (typer's Annotated form keeps the command's signature short).
Host = Annotated[
    str,
    typer.Option("--host", help="Address to listen on (0.0.0.0: every interface; put a reverse proxy in front)."),
]
Port = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")]
Workers = Annotated[
    int, typer.Option("--workers", min=1, max=64, help="Worker processes, each with its own model copy.")
]
MaxBatch = Annotated[int, typer.Option("--max-batch", min=1, help="Most sentences in one model batch.")]
BatchWait = Annotated[
    float,
    typer.Option("--batch-wait-ms", min=0.0, help="How long an idle model waits for more sentences to batch."),
]
OneRequestAtATime = Annotated[
    bool,
    typer.Option(
        "--one-request-at-a-time", help="Never batch sentences of different requests together (for comparisons)."
    ),
]
MaxBodyBytes = Annotated[int, typer.Option("--max-body-bytes", min=1, help="Largest request body (413 above).")]
MaxChars = Annotated[
    int, typer.Option("--max-chars", min=1, help="Most characters of text in one request (413 above).")
]
RateLimit = Annotated[
    int,
    typer.Option(
        "--rate-limit",
        min=0,
        help="Requests per minute per API key (per client address without keys); 0: no limit.",
    ),
]
ApiKeys = Annotated[
    Path | None,
    typer.Option(
        "--api-keys",
        help="File of API keys, one a line (also: $IDTRANS_API_KEYS); with keys, requests need one.",
    ),
]
RootPath = Annotated[
    str, typer.Option("--root-path", help="URL prefix the reverse proxy serves this under, e.g. /idtrans.")
]
ForwardedAllowIps = Annotated[
    str,
    typer.Option(
        "--forwarded-allow-ips",
        help="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated, or *).",
    ),
]
AccessLog = Annotated[
    Path | None,
    typer.Option("--access-log", help="Append the JSON-lines access log to this file (default: stderr)."),
]
LogLevel = Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")]


def serve_command(
    host: Host = "127.0.0.1",
    port: Port = 5000,
    model: Model = None,
    glossary: Glossary = None,
    no_glossary: NoGlossary = False,
    workers: Workers = 1,
    backend: Backend = BackendName.auto,
    threads: ModelThreads = None,
    beams: Beams = 4,
    no_rerank: NoRerank = False,
    no_cache: NoCache = False,
    max_batch: MaxBatch = 32,
    batch_wait_ms: BatchWait = 10.0,
    one_request_at_a_time: OneRequestAtATime = False,
    max_body_bytes: MaxBodyBytes = 1_000_000,
    max_chars: MaxChars = 100_000,
    rate_limit: RateLimit = 0,
    api_keys: ApiKeys = None,
    root_path: RootPath = "",
    forwarded_allow_ips: ForwardedAllowIps = "127.0.0.1",
    access_log: AccessLog = None,
    log_level: LogLevel = "info",
) -> None:
    """Serve translation over HTTP: LibreTranslate's /translate, /v1/articles, glossary editing and a web page.

    The glossary endpoints edit the --glossary file; with --no-glossary they answer 409.
    """
    require_extra()
    glossary_option(glossary, no_glossary)  # rejects --glossary with --no-glossary
    config = ServeConfig(
        model=model,
        glossary=str(glossary) if glossary else None,
        no_glossary=no_glossary,
        backend=backend.value,
        threads=threads,
        beams=beams,
        rerank=not no_rerank,
        cache=not no_cache,
        max_batch=max_batch,
        batch_wait_ms=batch_wait_ms,
        cross_request=not one_request_at_a_time,
        max_body_bytes=max_body_bytes,
        max_chars=max_chars,
        rate_limit=rate_limit,
        api_keys_file=str(api_keys) if api_keys else None,
        root_path=root_path,
        access_log=str(access_log) if access_log else None,
        log_level=log_level,
    )
    run_server(
        config,
        host=host,
        port=port,
        workers=workers,
        forwarded_allow_ips=forwarded_allow_ips,
        on_ready=lambda keys: _banner(host, port, root_path, workers, keys),
    )


def register(app: typer.Typer) -> None:
    """Add ``idtrans serve`` to the root app."""
    app.command("serve")(serve_command)
