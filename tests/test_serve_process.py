"""``idtrans serve`` as a real process on 127.0.0.1 (two workers, the config handed over by environment)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the server extra (idtrans[serve]) is not installed")

from serve_fixtures import glossary_copy


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, data: bytes | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, json.loads(answer.read())


def test_serve_command_with_two_workers(tiny_model_dir: Path, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "access.log"
    keys = tmp_path / "keys.txt"
    keys.write_text("secret-key\n", encoding="utf-8")
    env = {**os.environ, "IDTRANS_CACHE": str(tmp_path / "cache.sqlite3")}
    command = [
        sys.executable,
        "-m",
        "idtrans",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--model",
        str(tiny_model_dir),
        "--backend",
        "torch",
        "--threads",
        "1",
        "--beams",
        "1",
        "--glossary",
        str(glossary_copy(tmp_path)),
        "--api-keys",
        str(keys),
        "--access-log",
        str(log),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status, health = _get(f"http://127.0.0.1:{port}/health")
                if health.get("status") == "ok":
                    break
            except OSError:
                pass
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        assert health["api_keys"] is True and health["glossary"].endswith("glossary.yaml")
        body = json.dumps(
            {"q": ["Pasukan Korea Utara.", "Halo."], "source": "id", "target": "en", "api_key": "secret-key"}
        ).encode()
        status, answer = _get(f"http://127.0.0.1:{port}/translate", body)
        assert status == 200 and len(answer["translatedText"]) == 2
        with pytest.raises(urllib.error.HTTPError) as denied:
            _get(f"http://127.0.0.1:{port}/translate", json.dumps({"q": "x", "source": "id", "target": "en"}).encode())
        assert denied.value.code == 403
    finally:
        process.terminate()
        process.wait(60)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {line["status"] for line in lines if line["path"] == "/translate"} == {200, 403}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_stops_on_a_bad_glossary_before_listening(
    workers: str, tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A glossary that does not load is one error line at start-up, with one worker or several."""
    import uvicorn
    from typer.testing import CliRunner

    from idtrans.cli import app

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("uvicorn started despite the bad glossary")

    monkeypatch.setattr(uvicorn, "run", never)
    monkeypatch.setenv("IDTRANS_CACHE", str(tmp_path / "cache.sqlite3"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - source: [x]\n    category: country\n", encoding="utf-8")
    args = ["serve", "--workers", workers, "--model", str(tiny_model_dir), "--backend", "torch", "--glossary", str(bad)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert str(bad) in result.output and "Traceback" not in result.output
