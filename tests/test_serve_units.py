"""idtrans serve without a model: the micro-batcher, text/HTML plans, access rules, the CLI's extra check."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from idtrans.errors import IdtransError
from idtrans.pipeline.layers.translator import Translation
from idtrans.serve.access import AccessDenied, Gate, RateLimiter
from idtrans.serve.batcher import MicroBatcher
from idtrans.serve.texts import plan_html, plan_text


class Recorder:
    """A fake model: upper-cases sentences, records each batch and the thread it ran on."""

    def __init__(self, delay: float = 0.0) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.delay = delay

    def __call__(self, sentences: Sequence[str]) -> list[Translation]:
        import time

        self.threads.add(threading.current_thread().name)
        self.batches.append(list(sentences))
        time.sleep(self.delay)
        return [Translation(s, s.upper()) for s in sentences]


async def _gather(batcher: MicroBatcher, jobs: list[list[str]]) -> list[list[Translation]]:
    return list(await asyncio.gather(*(batcher.translate(job) for job in jobs)))


def test_requests_arriving_together_share_a_batch() -> None:
    model = Recorder()
    batcher = MicroBatcher(model, max_batch=32, wait=0.05)
    try:
        results = asyncio.run(_gather(batcher, [[f"a{i}"] for i in range(10)]))
    finally:
        batcher.close()
    assert [[t.text for t in r] for r in results] == [[f"A{i}"] for i in range(10)]
    assert len(model.batches) == 1 and sorted(model.batches[0]) == sorted(f"a{i}" for i in range(10))
    assert model.threads == {"idtrans-model"}  # never the event loop's thread


def test_long_article_does_not_block_a_short_request() -> None:
    model = Recorder(delay=0.01)
    batcher = MicroBatcher(model, max_batch=4, wait=0.05)
    article = [f"article {i}" for i in range(20)]

    async def scenario() -> tuple[list[Translation], list[Translation]]:
        long_job = asyncio.ensure_future(batcher.translate(article))
        await asyncio.sleep(0.001)
        short = await batcher.translate(["short"])
        return await long_job, short

    try:
        long_result, short_result = asyncio.run(scenario())
    finally:
        batcher.close()
    assert [t.text for t in long_result] == [s.upper() for s in article]  # order kept across batches
    assert short_result[0].text == "SHORT"
    first_with_short = next(i for i, batch in enumerate(model.batches) if "short" in batch)
    assert first_with_short <= 1 < len(model.batches)  # it rode in the first batches, not after the article
    assert all(len(batch) <= 4 for batch in model.batches)


def test_one_request_at_a_time_never_mixes_requests() -> None:
    model = Recorder()
    batcher = MicroBatcher(model, max_batch=32, wait=0.05, cross_request=False)
    try:
        asyncio.run(_gather(batcher, [[f"r{i}-a", f"r{i}-b"] for i in range(5)]))
    finally:
        batcher.close()
    assert len(model.batches) == 5
    assert all(len({s.split("-")[0] for s in batch}) == 1 for batch in model.batches)


def test_a_failing_batch_fails_only_its_requests() -> None:
    calls = {"n": 0}

    def flaky(sentences: Sequence[str]) -> list[Translation]:
        calls["n"] += 1
        if "bad" in sentences:
            raise RuntimeError("model broke")
        return [Translation(s, s) for s in sentences]

    batcher = MicroBatcher(flaky, max_batch=8, wait=0.0, cross_request=False)

    async def scenario() -> None:
        with pytest.raises(RuntimeError, match="model broke"):
            await batcher.translate(["bad"])
        assert [t.text for t in await batcher.translate(["good"])] == ["good"]

    try:
        asyncio.run(scenario())
    finally:
        batcher.close()
    assert calls["n"] == 2


def test_plain_text_plan_keeps_lines_and_indentation() -> None:
    plan = plan_text("Satu. Dua.\n\n  Tiga.\r\n")
    assert plan.sentences == ["Satu.", "Dua.", "Tiga."]
    assert plan.join(["One.", "Two.", "Three."]) == "One. Two.\n\n  Three.\n"


def test_html_plan_keeps_markup_and_escapes_text() -> None:
    source = (
        '<!doctype html><div id="x">Satu &amp; dua.<br/><i>Tiga.</i><!-- c --><style>p{}</style>'
        "<svg><![CDATA[x < y]]></svg></div>"
    )
    plan = plan_html(source)
    assert plan.sentences == ["Satu & dua.", "Tiga."]
    assert plan.join(["One & two <3.", "Three."]) == (
        '<!doctype html><div id="x">One &amp; two &lt;3.<br/><i>Three.</i><!-- c --><style>p{}</style>'
        "<svg><![CDATA[x < y]]></svg></div>"
    )


def test_rate_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("a")
    limiter.check("a")
    with pytest.raises(AccessDenied) as denied:
        limiter.check("a")
    assert denied.value.status == 429 and denied.value.headers["Retry-After"] == "30"
    limiter.check("b")  # another caller has its own bucket
    now[0] = 30.0
    limiter.check("a")


def test_gate_needs_a_known_key_only_when_keys_exist() -> None:
    open_gate = Gate(frozenset(), RateLimiter(0))
    assert open_gate.admit(None, "10.0.0.1") == "ip:10.0.0.1"
    closed = Gate(frozenset({"k1"}), RateLimiter(0))
    assert closed.admit("k1", "10.0.0.1") == "key:k1"
    for key in (None, "", "k2"):
        with pytest.raises(AccessDenied) as denied:
            closed.admit(key, "10.0.0.1")
        assert denied.value.status == 403


def test_serve_without_the_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from idtrans.serve import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else real(name, *a))
    with pytest.raises(IdtransError) as error:
        cli.require_extra()
    assert "fastapi" in str(error.value) and "pip install 'idtrans[serve]'" in (error.value.hint or "")


def test_serve_command_reports_missing_extra_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from idtrans.cli import app
    from idtrans.serve import cli

    monkeypatch.setattr(cli, "EXTRA_MODULES", ("fastapi", "idtrans_no_such_module"))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "idtrans_no_such_module" in result.output and "idtrans[serve]" in result.output
    assert "Traceback" not in result.output


def test_config_round_trips_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from idtrans.serve.config import CONFIG_ENV, ServeConfig

    config = ServeConfig(model="m", glossary="g.yaml", rate_limit=7, api_keys=["k"], cross_request=False)
    monkeypatch.setenv(CONFIG_ENV, config.to_env())
    assert ServeConfig.from_env() == config


def test_workers_load_the_parents_model_choice_without_resolving_again(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from idtrans.pipeline.layers import factory
    from idtrans.pipeline.models.converted import weights_digest
    from idtrans.pipeline.models.resolve import choose_model
    from idtrans.serve import config as config_module
    from idtrans.serve.config import CONFIG_ENV, ServeConfig, choice_fields
    from idtrans.serve.engine import load_engine

    choice = choose_model(str(tiny_model_dir))
    config = ServeConfig(model="not-a-model-name", backend="torch", threads=1, beams=1, cache=False, no_glossary=True)
    monkeypatch.setenv(CONFIG_ENV, replace(config, model_choice=choice_fields(choice)).to_env())
    worker_config = ServeConfig.from_env()
    assert worker_config.chosen_model() == choice

    def no_second_lookup(model: object = None) -> object:
        raise AssertionError(f"a worker resolved {model!r} again")

    monkeypatch.setattr(factory, "choose_model", no_second_lookup)
    monkeypatch.setattr(config_module, "choose_model", no_second_lookup)
    engine = load_engine(worker_config)
    assert engine.stack.backend.identity == f"torch:{choice.name}@{weights_digest(choice.path)}"
    assert engine.status()["model"] == choice.name
    monkeypatch.undo()
    assert ServeConfig(model=str(tiny_model_dir)).chosen_model() == choice


def test_unwritable_access_log_is_a_one_line_error(tmp_path: Path) -> None:
    from idtrans.serve.metrics import setup_logging

    with pytest.raises(IdtransError) as error:
        setup_logging(str(tmp_path / "missing-dir" / "access.log"), "info")
    assert "cannot open the access log" in str(error.value) and error.value.hint


def test_review_reasons_keep_a_layers_flag_or_derive_them() -> None:
    from idtrans.serve.texts import review_reasons

    assert review_reasons({"glossary": [{"entry": "a", "target": "Kyiv", "status": "applied"}]}) == []
    missed = {
        "glossary": [
            {"entry": "a", "target": "Kyiv", "status": "missed"},
            {"entry": "b", "target": "Defence", "status": "repaired", "forbidden": ["Defense"]},
        ]
    }
    assert review_reasons(missed) == ["glossary term not rendered: Kyiv", "forbidden form: Defense"]
    assert review_reasons({**missed, "review": "number changed"}) == ["number changed"]
    assert review_reasons({"review": ["a", "b"]}) == ["a", "b"]
