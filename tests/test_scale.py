"""Batch runs (issue 16): JSONL archives with the local engine, and --engine ray equal to --engine local."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtrans.cli import app

_PARAGRAPHS = [
    "Presiden Rusia Vladimir Putin berkunjung ke Pyongyang pada bulan Juni.",
    "Sekitar 11.000 tentara berada di wilayah perbatasan Kursk.",
    "Menteri Pertahanan Ukraina Rustem Umerov mengatakan kelompok kecil pasukan diserang.",
    "Pejabat AS memberitahu kantor berita Reuters bahwa pasukan terlibat dalam pertempuran.",
]


def _article(number: int) -> str:
    first, second = _PARAGRAPHS[number % 4], _PARAGRAPHS[(number + 1) % 4]
    return f"Berita nomor {number}\n\n{first} {second}\n\n{_PARAGRAPHS[(number + 2) % 4]}\n"


def _make_dir(root: Path, count: int, *, corrupt: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (root / f"a{number:02d}.txt").write_text(_article(number), encoding="utf-8")
    if corrupt:
        (root / "bad.txt").write_bytes(b"\xff\xfe\x00broken \xc3\x28 bytes\x00")
    return root


def _make_archive(path: Path, count: int, *, empty: bool = False) -> Path:
    rows = [{"id": f"art-{n}", "text": _article(n), "section": "world"} for n in range(count)]
    if empty:
        rows.insert(1, {"id": "empty", "text": "   "})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def run(tiny_model_dir):
    def invoke(*args: str):
        return CliRunner().invoke(
            app,
            [
                "translate",
                *args,
                "--model",
                str(tiny_model_dir),
                "--beams",
                "1",
                "--no-glossary",
                "--no-cache",
                "--backend",
                "torch",
            ],
        )

    return invoke


def test_archive_local_engine_writes_one_record_per_article_and_resumes(run, tmp_path):
    archive = _make_archive(tmp_path / "in.jsonl", 3, empty=True)
    out = tmp_path / "out.jsonl"
    result = run(str(archive), "-o", str(out))
    assert result.exit_code == 1, result.output  # the run finishes, then reports the failed article
    assert "1 of 4 article(s) could not be translated" in result.stderr
    assert "empty: skipped, no text" in result.stderr
    assert "3 done, 0 skipped, 1 failed" in result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["art-0", "art-1", "art-2"]
    assert records[0]["section"] == "world" and records[0]["english"]
    assert records[0]["sentences"][0]["kind"] == "title" and "seconds" not in records[0]["sentences"][0]
    first = out.read_bytes()
    again = run(str(archive), "-o", str(out))
    assert "0 done, 3 skipped, 1 failed" in again.stderr
    assert out.read_bytes() == first


def test_archive_needs_an_archive_output(run, tmp_path):
    archive = _make_archive(tmp_path / "in.jsonl", 1)
    result = run(str(archive), "-o", str(tmp_path / "outdir"))
    assert result.exit_code == 1 and "an archive input needs an archive output" in result.output


def test_unknown_engine_is_one_clear_error(run, tmp_path):
    result = run(str(_make_dir(tmp_path / "in", 1)), "-o", str(tmp_path / "out"), "--engine", "spark")
    assert result.exit_code == 1 and "unknown engine 'spark'" in result.output


def test_engine_ray_without_ray_says_how_to_install(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    result = run(str(_make_dir(tmp_path / "in", 1)), "-o", str(tmp_path / "out"), "--engine", "ray")
    assert result.exit_code == 1
    assert "needs Ray, which is not installed" in result.output and "pip install 'idtrans[scale]'" in result.output


# --- Ray (optional extra) -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray", reason="Ray not installed: pip install 'idtrans[scale]' to run these tests")
    pytest.importorskip("ray.data", reason="ray[data] not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_ray_directory_equals_local_byte_for_byte_and_rerun_skips(ray_local, run, tmp_path):
    clean = _make_dir(tmp_path / "clean", 6)
    local = run(str(clean), "-o", str(tmp_path / "local"), "--engine", "local")
    source = _make_dir(tmp_path / "in", 6, corrupt=True)
    ray_run = run(str(source), "-o", str(tmp_path / "ray"), "--engine", "ray", "--actors", "2")
    assert ray_run.exit_code == 1, ray_run.output  # finished, then the failed file reported
    assert "bad.txt: skipped" in ray_run.stderr and "6 done, 0 skipped, 1 failed" in ray_run.stderr
    assert _tree(tmp_path / "ray") == _tree(tmp_path / "local") and len(_tree(tmp_path / "ray")) == 6
    assert local.exit_code == 0
    again = run(str(source), "-o", str(tmp_path / "ray"), "--engine", "ray")
    assert "0 done, 6 skipped, 1 failed" in again.stderr


def test_ray_archive_equals_local_byte_for_byte(ray_local, run, tmp_path):
    archive = _make_archive(tmp_path / "in.jsonl", 5)
    run(str(archive), "-o", str(tmp_path / "local.jsonl"))
    result = run(str(archive), "-o", str(tmp_path / "ray.jsonl"), "--engine", "ray", "--actors", "2")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


def test_ray_run_killed_midway_completes_identically_on_rerun(ray_local, run, tiny_model_dir, tmp_path):
    source = _make_dir(tmp_path / "in", 12)
    expected = tmp_path / "local"
    run(str(source), "-o", str(expected))
    out = tmp_path / "ray"
    idtrans = Path(sys.executable).parent / "idtrans"
    command = [
        str(idtrans),
        "translate",
        str(source),
        "-o",
        str(out),
        "--engine",
        "ray",
        "--model",
        str(tiny_model_dir),
        "--beams",
        "1",
        "--no-glossary",
        "--no-cache",
        "--backend",
        "torch",
        "-q",
    ]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and len(list(out.glob("*.en.txt"))) < 2 and process.poll() is None:
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    partial = {k: v for k, v in _tree(out).items() if not k.startswith(".")}
    assert partial, "the killed run wrote no article"
    reference = _tree(expected)
    assert all(reference[name] == data for name, data in partial.items())  # whole files only
    result = run(str(source), "-o", str(out), "--engine", "ray")
    assert result.exit_code == 0, result.output
    finished = {k: v for k, v in _tree(out).items() if not k.startswith(".")}
    assert finished == _tree(expected)
