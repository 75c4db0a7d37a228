"""Starting the server: uvicorn with one in-process engine, or with worker processes.

One worker: the engine is loaded here first, so a model or glossary error stops the command with
one line and a hint before anything listens. Several workers: each process builds its own engine
from :data:`~idtrans.serve.config.CONFIG_ENV`; the model is looked up (the Hub probed) and the glossary
loaded once here to fail fast, and the workers load the model directory found here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from idtrans.pipeline.layers.factory import load_glossary_spec
from idtrans.serve.config import CONFIG_ENV, ServeConfig, choice_fields
from idtrans.serve.engine import load_engine
from idtrans.serve.metrics import setup_logging
from idtrans.settings import glossary_option


def run_server(
    config: ServeConfig,
    *,
    host: str,
    port: int,
    workers: int = 1,
    forwarded_allow_ips: str = "127.0.0.1",
    on_ready: Callable[[bool], None] | None = None,
) -> None:
    """Serve ``config`` on ``host:port`` until stopped; ``on_ready(keys_required)`` runs just before listening."""
    import uvicorn

    from idtrans.serve.app import create_app  # FastAPI: the optional extra, imported only to serve

    keys = config.resolved_keys()  # a bad key file stops here, before the model loads
    setup_logging(config.access_log, config.log_level)
    common = dict(
        host=host,
        port=port,
        root_path=config.root_path,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=False,
        log_level=config.log_level,
    )
    if workers == 1:
        engine = load_engine(config)  # model errors become one line + hint here
        if on_ready is not None:
            on_ready(bool(keys))
        uvicorn.run(create_app(config, engine=engine), **common)  # type: ignore[arg-type]
        return
    choice = config.chosen_model()  # fail fast on a model that cannot be found ...
    load_glossary_spec(glossary_option(config.glossary, config.no_glossary))  # ... or a glossary that does not load
    os.environ[CONFIG_ENV] = replace(config, model_choice=choice_fields(choice)).to_env()
    if on_ready is not None:
        on_ready(bool(keys))
    uvicorn.run("idtrans.serve.app:create_app_from_env", factory=True, workers=workers, **common)  # type: ignore[arg-type]
