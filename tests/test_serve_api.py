"""idtrans serve: every endpoint through FastAPI's TestClient on the tiny test model."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra (idtrans[serve]) is not installed")
pytest.importorskip("prometheus_client", reason="the server extra (idtrans[serve]) is not installed")

from fastapi.testclient import TestClient
from serve_fixtures import tiny_config

from idtrans.glossary import load_glossary
from idtrans.serve.app import STATIC, create_app
from idtrans.serve.config import ServeConfig
from idtrans.serve.engine import Engine, load_engine

SENTENCE = "Presiden Rusia Vladimir Putin berkunjung ke Pyongyang pada bulan Juni."


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def config(tiny_model_dir: Path, workdir: Path) -> ServeConfig:
    return tiny_config(tiny_model_dir, workdir)


@pytest.fixture(scope="module")
def engine(config: ServeConfig) -> Engine:
    return load_engine(config)


def client_for(engine: Engine, config: ServeConfig, **overrides: Any) -> TestClient:
    settings = {**config.__dict__, **overrides}
    return TestClient(create_app(ServeConfig(**settings), engine=engine), raise_server_exceptions=False)


@pytest.fixture
def client(engine: Engine, config: ServeConfig) -> Iterator[TestClient]:
    with client_for(engine, config) as test_client:
        yield test_client


# -- LibreTranslate shapes -----------------------------------------------------------------------


def test_translate_string_json_and_form(client: TestClient) -> None:
    answer = client.post("/translate", json={"q": SENTENCE, "source": "id", "target": "en"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"translatedText"} and isinstance(body["translatedText"], str) and body["translatedText"]
    form = client.post("/translate", data={"q": SENTENCE, "source": "id", "target": "en", "format": "text"})
    assert form.status_code == 200 and form.json() == body  # same sentence, same stack: same English


def test_translate_q_list_keeps_length_and_order(client: TestClient) -> None:
    items = [SENTENCE, "", "Sekitar 11.000 tentara berada di wilayah perbatasan Kursk.", SENTENCE]
    answer = client.post("/translate", json={"q": items, "source": "auto", "target": "en", "alternatives": 2})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    texts = body["translatedText"]
    assert isinstance(texts, list) and len(texts) == 4
    assert texts[1] == "" and texts[0] == texts[3] and texts[0] and texts[2]
    assert body["detectedLanguage"] == [{"confidence": 100.0, "language": "id"}] * 4
    assert body["alternatives"] == [[], [], [], []]
    single = client.post("/translate", json={"q": items[2], "source": "id", "target": "en"}).json()
    assert single["translatedText"] == texts[2]


def test_translate_multi_line_text_keeps_lines(client: TestClient) -> None:
    q = f"{SENTENCE} {SENTENCE}\n\n  {SENTENCE}"
    text = client.post("/translate", json={"q": q, "source": "id", "target": "en"}).json()["translatedText"]
    one = client.post("/translate", json={"q": SENTENCE, "source": "id", "target": "en"}).json()["translatedText"]
    assert text == f"{one} {one}\n\n  {one}"


def test_translate_html_keeps_markup(client: TestClient) -> None:
    q = '<p class="lead">Menteri Pertahanan <b>Ukraina</b> berbicara.</p><script>var a = "Korea";</script>'
    answer = client.post("/translate", json={"q": q, "source": "id", "target": "en", "format": "html"})
    assert answer.status_code == 200, answer.text
    html = answer.json()["translatedText"]
    assert html.startswith('<p class="lead">') and "<b>" in html and "</b>" in html and html.endswith("</script>")
    assert '<script>var a = "Korea";</script>' in html  # scripts are not translated
    assert "Menteri" not in html.split("<b>")[0] or html != q


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"source": "id", "target": "en"}, "Invalid request: missing q parameter"),
        ({"q": [], "source": "id", "target": "en"}, "Invalid request: missing q parameter"),
        ({"q": "x", "target": "en"}, "Invalid request: missing source parameter"),
        ({"q": "x", "source": "id"}, "Invalid request: missing target parameter"),
        ({"q": "x", "source": "fr", "target": "en"}, "fr is not supported"),
        ({"q": "x", "source": "id", "target": "de"}, "de is not supported"),
        ({"q": "x", "source": "id", "target": "en", "format": "xml"}, "xml format is not supported"),
        (
            {"q": "x", "source": "id", "target": "en", "alternatives": "abc"},
            "Invalid request: alternatives parameter is not a number",
        ),
        ({"q": [1, 2], "source": "id", "target": "en"}, "Invalid request: q must be a string or a list of strings"),
    ],
)
def test_translate_errors_in_libretranslate_shape(client: TestClient, payload: dict[str, Any], message: str) -> None:
    answer = client.post("/translate", json=payload)
    assert answer.status_code == 400
    assert answer.json() == {"error": message}


def test_translate_rejects_non_object_json(client: TestClient) -> None:
    answer = client.post("/translate", content=b'["not", "a", "dict"]', headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.json() == {"error": "Invalid JSON format"}
    broken = client.post("/translate", content=b"{broken", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json() == {"error": "Invalid JSON format"}


def test_languages_health_and_unknown_path(client: TestClient) -> None:
    assert client.get("/languages").json() == [{"code": "id", "name": "Indonesian", "targets": ["en"]}]
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["glossary"].endswith("glossary.yaml") and health["api_keys"] is False
    missing = client.get("/nope")
    assert missing.status_code == 404 and "error" in missing.json()


# -- articles ------------------------------------------------------------------------------------


def test_article_endpoint_matches_jsonl_records(client: TestClient, example_article: Path) -> None:
    text = example_article.read_text(encoding="utf-8")
    answer = client.post("/v1/articles", json={"text": text})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    records = body["sentences"]
    # the API adds "review" to every record (a JSONL record has it only when flagged: the same reasons)
    assert records and [
        {k: v for k, v in json.loads(line).items() if k != "review"} for line in body["jsonl"].splitlines()
    ] == [{k: v for k, v in r.items() if k != "review"} for r in records]
    for line, record in zip(body["jsonl"].splitlines(), records):
        assert json.loads(line).get("review", []) == record["review"] or "review" not in json.loads(line)
    for record in records:
        assert {"kind", "paragraph", "sentence", "source", "translation", "review"} <= set(record)
        assert isinstance(record["review"], list)
    assert {r["rule"] for r in body["removed"]} >= {"related-link", "comment-prompt"}
    assert body["title"] == body["paragraphs"][0]["english"] and body["paragraphs"][0]["paragraph"] == 0
    assert body["text"].endswith("\n") and body["markdown"].startswith("# ")
    assert body["glossary"]["matched"] == sum(len(r.get("glossary", [])) for r in records) > 0
    assert body["review"] == sum(bool(r["review"]) for r in records)


def test_article_form_body_and_errors(client: TestClient) -> None:
    form = client.post("/v1/articles", data={"text": f"Judul berita\n\n{SENTENCE}"})
    assert form.status_code == 200 and len(form.json()["sentences"]) == 2
    blank = client.post("/v1/articles", json={"text": "   "})
    assert blank.json() == {"error": "Invalid request: missing text parameter"}
    only_boilerplate = client.post("/v1/articles", json={"text": "Tinggalkan komentar"})
    assert only_boilerplate.status_code == 400 and "boilerplate" in only_boilerplate.json()["error"]
    assert "hint" in only_boilerplate.json()


# -- glossary ------------------------------------------------------------------------------------


def test_glossary_list_search_show_lint(client: TestClient) -> None:
    listed = client.get("/v1/glossary", params={"search": "umerov", "category": "person"}).json()
    assert [e["id"] for e in listed["entries"]] == ["rustem-umerov", "umerov"] and listed["total"] > 200
    shown = client.get("/v1/glossary/defence-minister").json()
    assert shown["target"] == "Defence Minister" and "Defense Minister" in shown["forbidden"] and shown["line"] > 0
    assert client.get("/v1/glossary/nope").status_code == 404
    assert client.get("/v1/glossary", params={"category": "country"}).status_code == 400
    lint = client.get("/v1/glossary/lint").json()
    assert lint["errors"] == 0


def test_glossary_add_edit_remove_round_trip(client: TestClient, config: ServeConfig) -> None:
    path = Path(str(config.glossary))
    before = path.read_text(encoding="utf-8")
    added = client.post(
        "/v1/glossary",
        json={
            "source": ["Panglima Angkatan Bersenjata"],
            "target": "armed forces chief",
            "category": "title",
            "case": "ignore",
        },
    )
    assert added.status_code == 201 and added.json() == {"added": "armed-forces-chief"}
    assert path.read_text(encoding="utf-8").startswith(before)
    edited = client.patch("/v1/glossary/armed-forces-chief", json={"add_source": ["Pangab"], "note": "TNI"})
    assert edited.status_code == 200, edited.text
    entry = load_glossary(path).get("armed-forces-chief")
    assert entry is not None and entry.sources == ("Panglima Angkatan Bersenjata", "Pangab") and entry.note == "TNI"
    removed = client.delete("/v1/glossary/armed-forces-chief")
    assert removed.status_code == 200 and removed.json()["entry"]["target"] == "armed forces chief"
    assert path.read_text(encoding="utf-8") == before


def test_glossary_bad_edits_change_nothing(client: TestClient, config: ServeConfig) -> None:
    path = Path(str(config.glossary))
    before = path.read_text(encoding="utf-8")
    conflict = client.post("/v1/glossary", json={"source": ["Korea Utara"], "target": "DPRK", "id": "dprk"})
    assert conflict.status_code == 400 and "two renderings" in conflict.json()["error"] and "hint" in conflict.json()
    bad = client.post("/v1/glossary", json={"source": ["x"], "target": "y", "category": "country"})
    assert bad.status_code == 400 and "category" in bad.json()["error"]
    unknown = client.post("/v1/glossary", json={"source": ["x"], "target": "y", "colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.json()["error"]
    assert client.patch("/v1/glossary/nope", json={"note": "x"}).status_code == 404
    assert client.patch("/v1/glossary/kyiv", json={}).status_code == 400
    assert path.read_text(encoding="utf-8") == before


def test_glossary_change_is_used_by_the_next_request(client: TestClient) -> None:
    def terms() -> set[str]:
        body = client.post("/v1/articles", json={"text": SENTENCE}).json()
        return {t["entry"] for r in body["sentences"] for t in r.get("glossary", [])}

    assert "paid-a-visit" not in terms()
    added = client.post("/v1/glossary", json={"source": ["berkunjung"], "target": "paid a visit", "id": "paid-a-visit"})
    assert added.status_code == 201, added.text
    try:
        assert "paid-a-visit" in terms()
        assert client.get("/health").json()["glossary_problem"] is None
    finally:
        client.delete("/v1/glossary/paid-a-visit")
    assert "paid-a-visit" not in terms()


def test_a_reloaded_glossary_s_words_are_never_blocked_as_not_english(engine: Engine, config: ServeConfig) -> None:
    with client_for(engine, config) as client:
        assert "pesantren" not in engine.stack.enforcer.inner.exempt
        added = client.post("/v1/glossary", json={"source": ["pondok pesantren"], "target": "pesantren", "id": "p"})
        assert added.status_code == 201, added.text
        try:
            client.post("/v1/articles", json={"text": SENTENCE})  # the next request reloads the glossary
            assert "pesantren" in engine.stack.enforcer.inner.exempt
            assert "pesantren" in engine.stack.enforcer.inner.as_written().exempt
        finally:
            client.delete("/v1/glossary/p")


SMALL_GLOSSARY = """\
# a small glossary: the concurrency test measures locking, not YAML speed on a busy machine
version: 1
name: small
entries:
  - source: [Korea Utara]
    target: North Korea
    category: place
"""


def test_concurrent_glossary_edits_all_land(tiny_model_dir: Path, tmp_path: Path) -> None:
    config = tiny_config(tiny_model_dir, tmp_path, cache=False)
    Path(str(config.glossary)).write_text(SMALL_GLOSSARY, encoding="utf-8")
    with client_for(load_engine(config), config) as client:
        _edit_concurrently(client, config)


def _edit_concurrently(client: TestClient, config: ServeConfig) -> None:
    errors: list[str] = []

    def add(number: int) -> None:
        answer = client.post(
            "/v1/glossary",
            json={"source": [f"istilah uji {number}"], "target": f"test term {number}", "id": f"test-term-{number}"},
        )
        if answer.status_code != 201:
            errors.append(answer.text)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    ids = {e.id for e in load_glossary(Path(str(config.glossary))).entries}
    assert {f"test-term-{n}" for n in range(8)} <= ids
    assert client.get("/v1/glossary/lint").json()["errors"] == 0
    removers = [threading.Thread(target=client.delete, args=(f"/v1/glossary/test-term-{n}",)) for n in range(8)]
    for thread in removers:
        thread.start()
    for thread in removers:
        thread.join()
    assert not {f"test-term-{n}" for n in range(8)} & {e.id for e in load_glossary(Path(str(config.glossary))).entries}


def test_glossary_endpoints_without_a_glossary(tiny_model_dir: Path, tmp_path: Path) -> None:
    config = tiny_config(tiny_model_dir, tmp_path, no_glossary=True, glossary=None, cache=False)
    engine = load_engine(config)
    with client_for(engine, config) as client:
        answer = client.get("/v1/glossary")
        assert answer.status_code == 409 and "--no-glossary" in answer.json()["error"]
        assert client.post("/translate", json={"q": SENTENCE, "source": "id", "target": "en"}).status_code == 200


# -- limits, keys, errors, metrics ---------------------------------------------------------------


def test_body_and_text_limits_are_413(engine: Engine, config: ServeConfig) -> None:
    with client_for(engine, config, max_body_bytes=2000, max_chars=300) as client:
        big = client.post("/translate", json={"q": "a" * 5000, "source": "id", "target": "en"})
        assert big.status_code == 413 and "too large" in big.json()["error"]
        long = client.post("/translate", json={"q": ["kata " * 40, "kata " * 40], "source": "id", "target": "en"})
        assert long.status_code == 413 and long.json()["error"].startswith("Invalid request: request (400 characters)")
        assert client.post("/v1/articles", json={"text": "kata " * 100}).status_code == 413


def test_rate_limit_is_429_per_key(engine: Engine, config: ServeConfig) -> None:
    with client_for(engine, config, rate_limit=3, api_keys=["alpha", "beta"]) as client:
        payload = {"q": SENTENCE, "source": "id", "target": "en", "api_key": "alpha"}
        statuses = [client.post("/translate", json=payload).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.post("/translate", json=payload)
        assert limited.json()["error"].startswith("Too many requests") and int(limited.headers["retry-after"]) >= 1
        assert client.post("/translate", json={**payload, "api_key": "beta"}).status_code == 200  # its own bucket


def test_api_keys_from_file_and_env(
    engine: Engine, config: ServeConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# desk keys\nfile-key  # the CMS\n\n", encoding="utf-8")
    monkeypatch.setenv("IDTRANS_API_KEYS", "env-key-1, env-key-2")
    with client_for(engine, config, api_keys_file=str(keys)) as client:
        payload = {"q": SENTENCE, "source": "id", "target": "en"}
        assert client.post("/translate", json=payload).status_code == 403
        assert client.post("/translate", json=payload).json() == {"error": "Invalid API key"}
        assert client.post("/translate", json={**payload, "api_key": "wrong"}).status_code == 403
        assert client.post("/translate", json={**payload, "api_key": "file-key"}).status_code == 200
        assert client.post("/translate", data={**payload, "api_key": "env-key-2"}).status_code == 200
        by_header = client.post("/v1/articles", json={"text": SENTENCE}, headers={"X-API-Key": "env-key-1"})
        assert by_header.status_code == 200
        assert client.get("/v1/glossary", headers={"Authorization": "Bearer file-key"}).status_code == 200
        assert client.get("/v1/glossary").status_code == 403
        assert client.get("/v1/glossary?api_key=file-key").status_code == 200
        for open_path in ("/", "/health", "/languages", "/metrics", "/static/app.js"):
            assert client.get(open_path).status_code == 200, open_path


def test_internal_error_is_500_without_details(
    engine: Engine, config: ServeConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_sentences: Any) -> list[Any]:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(engine, "translate", broken)
    with client_for(engine, config) as client:
        answer = client.post("/translate", json={"q": SENTENCE, "source": "id", "target": "en"})
        assert answer.status_code == 500
        assert answer.json() == {"error": "Internal server error (details are in the server log)"}
        assert "Traceback" not in answer.text and "secret" not in answer.text


def test_metrics_count_requests_sentences_cache_and_glossary(client: TestClient) -> None:
    for _ in range(2):
        assert (
            client.post(
                "/translate", json={"q": "Pasukan Korea Utara diserang.", "source": "id", "target": "en"}
            ).status_code
            == 200
        )
    text = client.get("/metrics").text

    def value(line_start: str) -> float:
        lines = [line for line in text.splitlines() if line.startswith(line_start)]
        assert lines, line_start
        return float(lines[0].rsplit(" ", 1)[1])

    assert value('idtrans_requests_total{method="POST",route="/translate",status="200"}') >= 2
    assert value('idtrans_request_seconds_count{route="/translate"}') >= 2
    assert value("idtrans_sentences_total") >= 2
    assert value("idtrans_cache_hits_total") >= 1
    assert value('idtrans_glossary_terms_total{status="matched"}') >= 2
    assert 'idtrans_glossary_terms_total{status="repaired"}' in text
    assert value("idtrans_batch_sentences_count") >= 1


def test_page_and_static_files_are_self_contained(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="static/app.js"' in page.text
    for name in ("index.html", "app.js", "style.css"):
        content = (STATIC / name).read_text(encoding="utf-8")
        assert "http://" not in content and "https://" not in content and "//cdn" not in content, name
    assert client.get("/static/style.css").status_code == 200


def test_access_log_is_json_lines(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="idtrans.serve.access"):
        client.get("/health")
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "idtrans.serve.access"]
    assert records and records[-1]["path"] == "/health" and records[-1]["status"] == 200
    assert {"time", "client", "method", "seconds", "bytes", "caller"} <= set(records[-1])
