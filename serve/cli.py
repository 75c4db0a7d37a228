"""``idtrans serve``: run the HTTP server (needs the optional extra ``idtrans[serve]``)."""

from __future__ import annotations

from pathlib import Path

import typer

from idtrans.errors import IdtransError, InputError
from idtrans.pipeline.layers.factory import BackendName
from idtrans.serve.config import CONFIG_ENV, ServeConfig
from idtrans.serve.metrics import setup_logging

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


def serve_command(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface; put a reverse proxy in front)."
    ),
    port: int = typer.Option(5000, "--port", min=1, max=65535, help="TCP port."),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Model id or local MarianMT directory (default: as `idtrans translate`)."
    ),
    glossary: Path | None = typer.Option(
        None,
        "--glossary",
        "-g",
        help="Glossary YAML to enforce and edit (default: $IDTRANS_GLOSSARY, else the bundled one).",
    ),
    no_glossary: bool = typer.Option(
        False, "--no-glossary", help="Translate without a glossary (the glossary endpoints answer 409)."
    ),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes, each with its own model copy."),
    backend: BackendName = typer.Option(BackendName.auto, "--backend", help="torch, ct2 or auto."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="CPU threads per model (default: all cores)."),
    beams: int = typer.Option(4, "--beams", min=1, max=32, help="Beam size."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the persistent sentence cache."),
    max_batch: int = typer.Option(32, "--max-batch", min=1, help="Most sentences in one model batch."),
    batch_wait_ms: float = typer.Option(
        10.0, "--batch-wait-ms", min=0.0, help="How long an idle model waits for more sentences to batch."
    ),
    one_request_at_a_time: bool = typer.Option(
        False, "--one-request-at-a-time", help="Never batch sentences of different requests together (for comparisons)."
    ),
    max_body_bytes: int = typer.Option(1_000_000, "--max-body-bytes", min=1, help="Largest request body (413 above)."),
    max_chars: int = typer.Option(
        100_000, "--max-chars", min=1, help="Most characters of text in one request (413 above)."
    ),
    rate_limit: int = typer.Option(
        0, "--rate-limit", min=0, help="Requests per minute per API key (per client address without keys); 0: no limit."
    ),
    api_keys: Path | None = typer.Option(
        None, "--api-keys", help="File of API keys, one a line (also: $IDTRANS_API_KEYS); with keys, requests need one."
    ),
    root_path: str = typer.Option(
        "", "--root-path", help="URL prefix the reverse proxy serves this under, e.g. /idtrans."
    ),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1",
        "--forwarded-allow-ips",
        help="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated, or *).",
    ),
    access_log: Path | None = typer.Option(
        None, "--access-log", help="Append the JSON-lines access log to this file (default: stderr)."
    ),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
) -> None:
    """Serve translation over HTTP: LibreTranslate's /translate, /v1/articles, glossary editing and a web page."""
    require_extra()
    import os

    import uvicorn

    from idtrans.serve.app import create_app
    from idtrans.serve.engine import load_engine

    if glossary is not None and no_glossary:
        raise InputError("--glossary and --no-glossary contradict each other", hint="pass one of them")
    config = ServeConfig(
        model=model,
        glossary=str(glossary) if glossary else None,
        no_glossary=no_glossary,
        backend=backend.value,
        threads=threads,
        beams=beams,
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
    keys = config.resolved_keys()  # a bad key file stops here, before the model loads
    setup_logging(config.access_log, config.log_level)
    common = dict(
        host=host,
        port=port,
        root_path=root_path,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=False,
        log_level=log_level,
    )
    if workers == 1:
        engine = load_engine(config)  # model errors become one line + hint here
        _banner(host, port, root_path, workers, bool(keys))
        uvicorn.run(create_app(config, engine=engine), **common)  # type: ignore[arg-type]
        return
    from idtrans.pipeline.models.resolve import choose_model

    choose_model(model)  # fail fast on a model that cannot be found
    os.environ[CONFIG_ENV] = config.to_env()
    _banner(host, port, root_path, workers, bool(keys))
    uvicorn.run("idtrans.serve.app:create_app_from_env", factory=True, workers=workers, **common)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    """Add ``idtrans serve`` to the root app."""
    app.command("serve")(serve_command)
