#!/usr/bin/env python
"""Load test of ``idtrans serve`` on loopback: cross-request batching against one request at a time.

One run starts the server twice on 127.0.0.1 (a free port), each time a new process with the same
model and settings, without the sentence cache (every request reaches the model):

1. ``batched``     the default micro-batching queue (requests arriving together share a batch);
2. ``one-by-one``  ``--one-request-at-a-time`` (each model batch holds one request's sentences).

Against each: ``--clients`` concurrent clients (default 32), each sending ``--requests`` requests
(default 10) one after the other to ``POST /translate`` (LibreTranslate shape, ``q`` = one news
line from ``../shared/corpora/dev.id``: every 5th line from the start, so every client gets other
lines). Reported per mode: errors (any non-200 or transport error), p50/p95/max latency,
requests/s and sentences/s (the server's own ``idtrans_sentences_total``), and the mean model
batch size (``idtrans_batch_sentences``). Bounded: at most ``--clients × --requests`` requests and
``--deadline`` seconds per mode (requests still running then count as errors).

Usage (from the repository root, with the ``serve`` extra installed):

    .venv/bin/python benchmarks/serve_load.py --model pipeline/default_model --backend ct2 --threads 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpora" / "dev.id"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def news_lines(path: Path, count: int) -> list[str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    picked = lines[::5]
    if len(picked) < count:
        picked = picked * (count // max(1, len(picked)) + 1)
    return picked[:count]


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith((name + " ", name + "{")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def start_server(args: argparse.Namespace, port: int, one_by_one: bool) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "idtrans",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-cache",
        "--backend",
        args.backend,
        "--beams",
        str(args.beams),
        "--max-body-bytes",
        "100000",
    ]
    if args.model:
        command += ["--model", args.model]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if one_by_one:
        command.append("--one-request-at-a-time")
    log = open(args.log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, stdout=log, stderr=log, cwd=ROOT)


async def wait_ready(client: Any, base: str, process: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}; see the log")
        try:
            answer = await client.get(base + "/health")
            if answer.status_code == 200 and answer.json().get("status") == "ok":
                return dict(answer.json())
        except Exception:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("the server did not become ready in time")


async def one_client(client: Any, base: str, lines: list[str], latencies: list[float], errors: list[str]) -> None:
    for line in lines:
        started = time.perf_counter()
        try:
            answer = await client.post(base + "/translate", json={"q": line, "source": "id", "target": "en"})
            if answer.status_code != 200 or not isinstance(answer.json().get("translatedText"), str):
                errors.append(f"{answer.status_code}: {answer.text[:100]}")
        except Exception as error:
            errors.append(repr(error)[:100])
        latencies.append(time.perf_counter() - started)


async def run_mode(args: argparse.Namespace, lines: list[str], one_by_one: bool) -> dict[str, Any]:
    import httpx

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(args, port, one_by_one)
    limits = httpx.Limits(max_connections=args.clients + 4)
    try:
        async with httpx.AsyncClient(timeout=args.deadline, limits=limits) as client:
            health = await wait_ready(client, base, process, args.startup)
            await client.post(base + "/translate", json={"q": lines[0], "source": "id", "target": "en"})  # warm-up
            before = (await client.get(base + "/metrics")).text
            latencies: list[float] = []
            errors: list[str] = []
            chunks = [lines[i * args.requests : (i + 1) * args.requests] for i in range(args.clients)]
            started = time.perf_counter()
            tasks = [asyncio.create_task(one_client(client, base, chunk, latencies, errors)) for chunk in chunks]
            _, pending = await asyncio.wait(tasks, timeout=args.deadline)
            for task in pending:
                task.cancel()
            wall = time.perf_counter() - started
            after = (await client.get(base + "/metrics")).text
    finally:
        process.terminate()
        process.wait(30)
    sent = args.clients * args.requests
    unfinished = sent - len(latencies)
    sentences = metric(after, "idtrans_sentences_total") - metric(before, "idtrans_sentences_total")
    batches = metric(after, "idtrans_batch_sentences_count") - metric(before, "idtrans_batch_sentences_count")
    ordered = sorted(latencies)
    return {
        "mode": "one-by-one" if one_by_one else "batched",
        "backend": health.get("backend", ""),
        "requests": sent,
        "errors": len(errors) + unfinished,
        "error_examples": errors[:3],
        "wall_s": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 2),
        "sentences": int(sentences),
        "sentences_per_s": round(sentences / wall, 2),
        "p50_s": round(statistics.median(ordered), 3) if ordered else None,
        "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 3) if ordered else None,
        "max_s": round(ordered[-1], 3) if ordered else None,
        "mean_batch": round(sentences / batches, 2) if batches else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="pipeline/default_model")
    parser.add_argument("--backend", default="ct2")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--deadline", type=float, default=600.0, help="Seconds per mode at most.")
    parser.add_argument("--startup", type=float, default=300.0, help="Seconds to wait for the model to load.")
    parser.add_argument("--data", type=Path, default=DEV)
    parser.add_argument("--log", default=os.devnull, help="Server output goes here.")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument("--one-by-one-first", action="store_true", help="Run the one-by-one mode first.")
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"{args.data} not found (the news sentences come from ../shared/corpora/dev.id)")
    lines = news_lines(args.data, args.clients * args.requests)
    order = (True, False) if args.one_by_one_first else (False, True)
    results = sorted(
        (asyncio.run(run_mode(args, lines, one_by_one)) for one_by_one in order), key=lambda r: r["mode"] != "batched"
    )
    print(
        f"{args.clients} clients x {args.requests} requests, model {args.model}, beams {args.beams}, "
        f"threads {args.threads}, backend {results[0]['backend'][:40]}"
    )
    print(f"{'mode':<11} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'req/s':>7} {'sent/s':>7} {'batch':>6}")
    for r in results:
        print(
            f"{r['mode']:<11} {r['errors']:>6} {r['p50_s']:>7} {r['p95_s']:>7} {r['max_s']:>7} "
            f"{r['requests_per_s']:>7} {r['sentences_per_s']:>7} {r['mean_batch']:>6}"
        )
    speedup = results[0]["sentences_per_s"] / max(results[1]["sentences_per_s"], 1e-9)
    print(f"cross-request batching: {speedup:.2f}x the sentences/s of one request at a time")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "speedup": round(speedup, 2)}, indent=2) + "\n")


if __name__ == "__main__":
    main()
