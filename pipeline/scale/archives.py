"""Batch jobs over many articles, run by the local engine or by Ray (``idtrans[scale]``).

A *job* is one article: a file of a directory run (written with the same ``output_path_for`` /
``render`` / ``atomic_write_text`` as ``translate_directory``) or one record of a JSONL/Parquet archive
(written as an atomic *part* file under ``OUT.parts/``; the parts are assembled into ``OUT`` in input
order when every article is done, so a killed run leaves only whole parts and a rerun skips them).
Each article is translated on its own (one article per translator call), so its English does not
depend on which engine, actor or batch handled it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from idtrans.corpus.article import parse_article
from idtrans.corpus.html import load_article
from idtrans.errors import IdtransError, InputError, first_line
from idtrans.io import atomic_write_bytes, atomic_write_text
from idtrans.pipeline.layers.translator import Translator
from idtrans.pipeline.output.assemble import TranslatedArticle, translate_article
from idtrans.pipeline.output.render import render
from idtrans.pipeline.translate import plan_directory, term_counts

ARCHIVE_SUFFIXES = (".jsonl", ".parquet")
RAY_HINT = "install the extra: pip install 'idtrans[scale]'"


def is_archive(path: str | Path) -> bool:
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def _filesystem(path: str) -> tuple[Any, str]:
    """A pyarrow filesystem and path for ``path`` (local, s3://, gs://, hdfs://, …)."""
    from pyarrow import fs

    if "://" in path:
        return fs.FileSystem.from_uri(path)
    return fs.LocalFileSystem(), str(Path(path).resolve())


def read_archive(path: str) -> list[dict[str, Any]]:
    """Articles of a JSONL or Parquet archive: dicts with ``id``, ``text`` and any metadata."""
    try:
        if path.lower().endswith(".parquet"):
            import pyarrow.parquet as pq

            filesystem, inner = _filesystem(path)
            rows = pq.read_table(inner, filesystem=filesystem).to_pylist()
        else:
            rows = [json.loads(line) for line in _read_text(path).splitlines() if line.strip()]
    except (OSError, ValueError) as error:
        raise InputError(
            f"cannot read the archive: {error}",
            where=path,
            hint="pass a JSONL or Parquet file of records with 'id' and 'text'",
        ) from None
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict) or "id" not in row or "text" not in row:
            raise InputError(
                f"record {number} has no 'id' and 'text'",
                where=path,
                hint="each record needs an 'id' and a 'text' field",
            )
    ids = [str(row["id"]) for row in rows]
    if len(set(ids)) != len(ids):
        raise InputError("article ids are not unique", where=path, hint="give every record its own 'id'")
    return rows


def _read_text(path: str) -> str:
    if "://" not in path:
        return Path(path).read_text(encoding="utf-8")
    filesystem, inner = _filesystem(path)
    with filesystem.open_input_stream(inner) as stream:
        return stream.read().decode("utf-8")


def _write_bytes(path: str, data: bytes) -> None:
    if "://" not in path:
        atomic_write_bytes(Path(path), data)
        return
    filesystem, inner = _filesystem(path)
    with filesystem.open_output_stream(inner) as stream:  # object stores publish on close
        stream.write(data)


def article_record(identifier: str, result: TranslatedArticle, metadata: dict[str, Any]) -> dict[str, Any]:
    """One output record: the English article and its sentences (no timings: the output is deterministic)."""
    sentences = []
    for item in result.sentences:
        record = {
            "kind": item.kind,
            "paragraph": item.paragraph,
            "sentence": item.sentence,
            "source": item.translation.source,
            "translation": item.translation.text,
        }
        record.update({k: v for k, v in item.translation.info.items() if k != "cached"})
        sentences.append(record)
    english = "\n\n".join(text for _, _, text in result.paragraphs())
    return {"id": identifier, **metadata, "english": english, "sentences": sentences}


def part_path(parts: Path, identifier: str) -> Path:
    return parts / (hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:32] + ".json")


def parts_dir(output: str) -> Path:
    """Where archive parts live: next to a local output, else in a local ``.idtrans-parts`` directory."""
    if "://" in output:
        digest = hashlib.sha256(output.encode("utf-8")).hexdigest()[:16]
        return Path(".idtrans-parts") / digest
    return Path(output + ".parts")


@dataclass
class JobResult:
    key: str
    status: str  # "translated", "skipped", "failed"
    sentences: int = 0
    cache_hits: int = 0
    error: str = ""
    terms: dict[str, int] = field(default_factory=dict)


def run_job(job: dict[str, Any], translator: Translator, *, keep_boilerplate: bool = False) -> JobResult:
    """Translate one article and write its output atomically; a bad article is a ``failed`` result."""
    key = job["key"]
    hits_before = getattr(translator, "hits", 0)
    try:
        if job["kind"] == "file":
            article = load_article(job["source"], keep_boilerplate=keep_boilerplate)
        else:
            text = job["text"]
            if not isinstance(text, str):
                raise InputError("the text is not a string", where=key, hint="store the article text as a string")
            article = parse_article(text, source=key, keep_boilerplate=keep_boilerplate)
        result = translate_article(article, translator)
    except (IdtransError, UnicodeError, ValueError) as error:
        return JobResult(key, "failed", error=first_line(error))
    if job["kind"] == "file":
        atomic_write_text(Path(job["target"]), render(result, job["fmt"]))
    else:
        record = article_record(key, result, json.loads(job["metadata"]))
        atomic_write_text(Path(job["target"]), json.dumps(record, ensure_ascii=False) + "\n")
    terms = dict(term_counts(r.translation for r in result.sentences))
    return JobResult(key, "translated", len(result.sentences), getattr(translator, "hits", 0) - hits_before, "", terms)


def plan_jobs(
    source: str,
    output: str,
    *,
    fmt: str,
    force: bool = False,
) -> tuple[list[dict[str, Any]], list[JobResult]]:
    """The jobs still to do, and the articles already done (skipped)."""
    jobs: list[dict[str, Any]] = []
    if is_archive(source):
        if not is_archive(output):
            raise InputError(
                "an archive input needs an archive output", where=output, hint="use -o OUT.jsonl or -o OUT.parquet"
            )
        parts = parts_dir(output)
        for row in read_archive(source):
            key = str(row["id"])
            metadata = {k: v for k, v in row.items() if k not in ("id", "text")}
            jobs.append(
                {
                    "kind": "record",
                    "key": key,
                    "text": row["text"],
                    "metadata": json.dumps(metadata),
                    "target": str(part_path(parts, key)),
                    "fmt": fmt,
                    "source": "",
                }
            )
    else:
        root, out_dir = Path(source), Path(output)
        for path, target in plan_directory(root, out_dir, fmt):
            jobs.append(
                {
                    "kind": "file",
                    "key": str(path),
                    "source": str(path),
                    "target": str(target),
                    "fmt": fmt,
                    "text": "",
                    "metadata": "{}",
                }
            )
    done = [not force and Path(job["target"]).exists() for job in jobs]
    todo = [job for job, finished in zip(jobs, done) if not finished]
    skipped = [JobResult(job["key"], "skipped") for job, finished in zip(jobs, done) if finished]
    return todo, skipped


def assemble_archive(source: str, output: str) -> int:
    """Join the parts into ``output`` in input order (JSONL or Parquet); returns the article count."""
    parts = parts_dir(output)
    records = []
    for row in read_archive(source):
        part = part_path(parts, str(row["id"]))
        if part.exists():
            records.append(json.loads(part.read_text(encoding="utf-8")))
    if output.lower().endswith(".parquet"):
        import io

        import pyarrow as pa
        import pyarrow.parquet as pq

        flat = [{**r, "sentences": json.dumps(r["sentences"], ensure_ascii=False)} for r in records]
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(flat), buffer)
        data = buffer.getvalue()
        if "://" in output:
            _write_bytes(output, data)
        else:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(output + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(output)
    else:
        _write_bytes(output, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8"))
    return len(records)


@dataclass
class RunSummary:
    done: int = 0
    skipped: int = 0
    failed: list[JobResult] = field(default_factory=list)
    sentences: int = 0
    cache_hits: int = 0
    seconds: float = 0.0
    terms: dict[str, int] = field(default_factory=dict)

    def add(self, result: JobResult) -> None:
        if result.status == "translated":
            self.done += 1
        elif result.status == "skipped":
            self.skipped += 1
        else:
            self.failed.append(result)
        self.sentences += result.sentences
        self.cache_hits += result.cache_hits
        for name, count in result.terms.items():
            self.terms[name] = self.terms.get(name, 0) + count

    def line(self) -> str:
        rate = self.done / self.seconds if self.seconds > 0 else 0.0
        return (
            f"articles: {self.done} done, {self.skipped} skipped, {len(self.failed)} failed; "
            f"{self.sentences} sentences, {rate:.2f} articles/s ({self.seconds:.1f} s), "
            f"{self.cache_hits} cache hit(s)"
        )


Executor = Callable[[list[dict[str, Any]]], Iterable[JobResult]]


def local_executor(translator: Translator, *, keep_boilerplate: bool = False) -> Executor:
    def execute(jobs: list[dict[str, Any]]) -> Iterator[JobResult]:
        for job in jobs:
            yield run_job(job, translator, keep_boilerplate=keep_boilerplate)

    return execute


def run_batch(
    source: str,
    output: str,
    execute: Executor,
    *,
    fmt: str = "text",
    force: bool = False,
    on_result: Callable[[JobResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> RunSummary:
    """Plan, execute (any engine) and, for an archive, assemble: the one driver behind both engines."""
    todo, skipped = plan_jobs(source, output, fmt=fmt, force=force)
    summary = RunSummary()
    for result in skipped:
        summary.add(result)
    if on_start:
        on_start(len(todo) + len(skipped))
    for result in skipped:
        if on_result:
            on_result(result)
    started = time.perf_counter()
    for result in execute(todo):
        summary.add(result)
        if on_result:
            on_result(result)
    summary.seconds = time.perf_counter() - started
    if is_archive(source):
        assemble_archive(source, output)
    return summary
