"""``idtrans serve``: a LibreTranslate-compatible HTTP server and an editor's web page.

Layout (each module one concern):

1. :mod:`~idtrans.serve.config` — every setting of the server in one dataclass.
2. :mod:`~idtrans.serve.engine` — the only module that builds the translator stack (model,
   glossary enforcement, sentence cache); it reloads the glossary when its file changes.
3. :mod:`~idtrans.serve.batcher` — the micro-batching queue: one worker thread runs the model,
   requests arriving together share a batch, long articles are scheduled sentence by sentence
   round-robin with short requests.
4. :mod:`~idtrans.serve.texts` — LibreTranslate ``q`` handling (plain text and HTML) and the
   article response (the same per-sentence records as ``idtrans translate --format jsonl``).
5. :mod:`~idtrans.serve.access` — API keys, per-key rate limits, the request size limit.
6. :mod:`~idtrans.serve.metrics` — Prometheus metrics and the JSON-lines access log.
7. :mod:`~idtrans.serve.app` — the FastAPI application (thin: parse, call, answer).
8. :mod:`~idtrans.serve.server` — starting uvicorn: one process, or worker processes.
9. :mod:`~idtrans.serve.cli` — the ``idtrans serve`` command.

FastAPI, uvicorn and prometheus_client come from the optional extra ``idtrans[serve]``; nothing
here imports them at module level except :mod:`app` and :mod:`metrics`.
"""
