"""SQLite plumbing shared by the sentence cache and the translation memory.

Both keep one SQLite file (standard library ``sqlite3``) that several processes read and write at
once: opened in autocommit mode with a busy timeout, switched to WAL, its tables stamped with a
schema version (``PRAGMA user_version``), writes grouped in ``BEGIN IMMEDIATE`` transactions, and
long key lists looked up in chunks that stay under SQLite's host-parameter limit. What a damaged
file means differs (the disposable cache rebuilds it, the memory refuses to touch it), so error
handling stays with each store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

_T = TypeVar("_T")

#: SQLite's limit on host parameters is 32766 in recent versions, 999 in old ones.
CHUNK = 900


def connect(path: Path, *, busy_seconds: float) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode; a lock held by another process is waited for up to ``busy_seconds``."""
    connection = sqlite3.connect(str(path), timeout=busy_seconds, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
    except BaseException:
        connection.close()
        raise
    return connection


def schema_version(connection: sqlite3.Connection) -> int:
    """The file's schema version (0 for a new file). Reading it is what shows "file is not a database"."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def install_schema(connection: sqlite3.Connection, schema: str, version: int) -> None:
    """Switch the file to WAL, create ``schema``'s missing tables and stamp it with ``version``."""
    if str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        connection.execute("PRAGMA journal_mode = WAL")
    connection.executescript(schema)
    connection.execute(f"PRAGMA user_version = {version}")


@contextmanager
def immediate_transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; on any exception roll back (best effort) and let it propagate."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        with suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise


def placeholders(count: int) -> str:
    """``?,?,…``: ``count`` host parameters for an ``IN (…)`` list."""
    return ",".join("?" * count)


def chunked(items: Sequence[_T]) -> Iterator[tuple[Sequence[_T], str]]:
    """``items`` in slices of at most :data:`CHUNK`, each with its :func:`placeholders`."""
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        yield chunk, placeholders(len(chunk))
