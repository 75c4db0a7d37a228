"""A persistent sentence cache: re-translating an edited article translates only what changed.

:class:`CachedTranslator` wraps any :class:`~idtrans.pipeline.layers.translator.Translator` and is one.
A sentence's key is a SHA-256 of the inner translator's ``identity`` and the source sentence.
By convention that identity already names everything that changes the output: the model
weights (content digest), the backend and its quantization, the decoding settings and the
glossary version, so changing any of them misses the cache instead of returning a stale
translation.

Storage is one SQLite file (standard library ``sqlite3``), in WAL mode with a busy timeout so
several processes can read and write it at once. A file that is not a database, or is damaged,
is reported on stderr in one line and rebuilt; if it cannot be rebuilt the run goes on
without the cache. The cache never crashes or fails a translation.

Location: ``$IDTRANS_CACHE`` (a file path), else ``<cache dir>/sentences.sqlite3`` with the
cache dir ``$XDG_CACHE_HOME/idtrans`` or ``~/.cache/idtrans``.

Size: at most ``$IDTRANS_CACHE_MAX_MB`` megabytes of live rows (default :data:`DEFAULT_MAX_MB`, 0 for
no limit); a write that passes the limit evicts the least recently used rows down to 90 % of it.
``idtrans cache prune`` does the same on demand (and drops rows unused for N days), then compacts
the file.

Every hit can be checked by a ``verify`` function (the stack passes the glossary's check): a row
whose recorded glossary terms are not in its English is damaged, and is re-translated, not returned.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from idtrans.errors import InputError, TranslationError
from idtrans.pipeline.layers.translator import Translation, Translator
from idtrans.settings import default_cache_path, env
from idtrans.sqlitedb import chunked, connect, immediate_transaction, install_schema, schema_version

_T = TypeVar("_T")

SCHEMA_VERSION = 2  # 2: the ``used`` column (least recently used rows are evicted first)
BUSY_TIMEOUT_SECONDS = 30.0
#: The cache's size limit when ``$IDTRANS_CACHE_MAX_MB`` is not set; 0 means no limit.
DEFAULT_MAX_MB = 500.0
MAX_MB_ENV = "IDTRANS_CACHE_MAX_MB"
#: Eviction brings the cache down to this share of its limit, so it does not run on every write.
_EVICT_TO = 0.9

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key BLOB PRIMARY KEY,
    model BLOB NOT NULL,
    translation TEXT NOT NULL,
    info TEXT NOT NULL,
    seconds REAL NOT NULL,
    created REAL NOT NULL,
    used REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS translations_used ON translations (used);
CREATE TABLE IF NOT EXISTS identities (
    model BLOB PRIMARY KEY,
    identity TEXT NOT NULL
) WITHOUT ROWID;
"""


def _digest(*parts: str) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def sentence_key(identity: str, sentence: str) -> bytes:
    """The cache key of one source sentence under one translator identity."""
    return _digest(identity, sentence)


@dataclass
class CacheStats:
    """What ``idtrans cache stats`` reports."""

    path: Path
    exists: bool
    entries: int = 0
    identities: int = 0
    size_bytes: int = 0
    oldest: float | None = None
    newest: float | None = None
    per_identity: list[tuple[str, int]] | None = None

    def lines(self) -> list[str]:
        if not self.exists:
            return [f"cache: {self.path} (empty: no file yet)"]
        lines = [
            f"cache: {self.path}",
            f"entries: {self.entries} sentence translations for {self.identities} model/settings combinations",
            f"size: {self.size_bytes / 1e6:.2f} MB",
        ]
        if self.oldest is not None and self.newest is not None:
            fmt = "%Y-%m-%d %H:%M UTC"
            lines.append(
                f"written: {time.strftime(fmt, time.gmtime(self.oldest))} "
                f"to {time.strftime(fmt, time.gmtime(self.newest))}"
            )
        for identity, count in self.per_identity or []:
            lines.append(f"  {count:>8}  {identity}")
        return lines


def _warn(line: str) -> None:
    print(line, file=sys.stderr)


def max_cache_bytes(max_mb: float | None = None) -> int:
    """The size limit in bytes: ``max_mb``, else ``$IDTRANS_CACHE_MAX_MB``, else :data:`DEFAULT_MAX_MB`; 0: none."""
    if max_mb is None:
        raw = env(MAX_MB_ENV)
        try:
            max_mb = float(raw) if raw is not None else DEFAULT_MAX_MB
        except ValueError:
            raise InputError(
                f"${MAX_MB_ENV} must be a number of megabytes, not {raw!r}", hint="e.g. IDTRANS_CACHE_MAX_MB=200"
            ) from None
    if not math.isfinite(max_mb) or max_mb < 0:
        raise InputError(
            f"a cache size limit must be a finite number of megabytes >= 0, not {max_mb}",
            hint="pass megabytes >= 0 (0: no limit)",
        )
    return int(max_mb * 1_000_000)


class SentenceCache:
    """The SQLite store behind :class:`CachedTranslator` (also used alone by ``idtrans cache``).

    Every database error is contained here: a corrupt file is reported once and rebuilt, and
    when even that fails the cache turns itself off (lookups miss, stores are dropped).
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        warn: Callable[[str], None] = _warn,
        strict: bool = False,
        max_bytes: int | None = None,
    ) -> None:
        self.path = Path(path).expanduser() if path is not None else default_cache_path()
        self.warn = warn
        #: ``idtrans cache stats|clear|prune``: a cache that cannot be read or written is an error, not a warning.
        self.strict = strict
        self.max_bytes = max_cache_bytes() if max_bytes is None else max_bytes
        self.disabled = False
        self.evicted = 0
        self._connection: sqlite3.Connection | None = None

    # -- connection and recovery -------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        if self.disabled:
            return None
        if self._connection is not None:
            return self._connection
        try:
            self._connection = self._open_with_retry()
        except sqlite3.DatabaseError as error:
            if self._is_corruption(error):
                self._rebuild(error)
            else:
                self._disable(f"cannot open it ({error})")
        except OSError as error:
            self._disable(f"cannot create it ({error})")
        return self._connection

    def _open_with_retry(self) -> sqlite3.Connection:
        """Open, retrying while another process holds the lock.

        Switching a fresh file to WAL and creating the schema take locks that SQLite may refuse
        at once ("database is locked") without calling its busy handler when two processes
        open a new cache together; such refusals are retried until the busy timeout.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        delay = 0.01
        while True:
            try:
                return self._open()
            except sqlite3.OperationalError as error:
                text = str(error).lower()
                if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _open(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise OSError(f"{self.path} is a directory")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = connect(self.path, busy_seconds=BUSY_TIMEOUT_SECONDS)
        try:
            version = schema_version(connection)
            connection.execute("PRAGMA synchronous = NORMAL")
            if version not in (0, SCHEMA_VERSION):
                # A future or past layout: the cache is disposable, start over.
                connection.executescript("DROP TABLE IF EXISTS translations; DROP TABLE IF EXISTS identities;")
            install_schema(connection, _SCHEMA, SCHEMA_VERSION)
        except BaseException:
            connection.close()
            raise
        return connection

    @staticmethod
    def _is_corruption(error: sqlite3.DatabaseError) -> bool:
        """Damage to the file, as opposed to a condition (locked, busy, read-only, disk full)."""
        text = str(error).lower()
        return any(sign in text for sign in ("malformed", "not a database", "corrupt", "encrypted"))

    def _rebuild(self, error: Exception) -> None:
        self.close()
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                candidate = Path(str(self.path) + suffix)
                if candidate.exists():
                    candidate.unlink()
            self._connection = self._open()
        except (sqlite3.DatabaseError, OSError) as second:
            self._disable(f"is corrupt ({error}) and could not be rebuilt ({second})")
            return
        self.warn(f"warning: sentence cache {self.path} was corrupt ({error}); rebuilt it empty")

    def _disable(self, why: str) -> None:
        self.close()
        self.disabled = True
        if self.strict:
            raise InputError(
                f"the sentence cache is unusable: {why}",
                where=str(self.path),
                hint="check the file's and its directory's permissions (a read-only cache cannot be changed), "
                "or name another file with --path / $IDTRANS_CACHE",
            )
        self.warn(f"warning: sentence cache {self.path} {why}; translating without the cache")

    def _guarded(self, action: Callable[[sqlite3.Connection], _T], fallback: _T, *, retry: bool = True) -> _T:
        """Run ``action`` on the connection; on damage rebuild once and retry; never raise (unless strict)."""
        connection = self._connect()
        if connection is None:
            return fallback
        try:
            return action(connection)
        except sqlite3.DatabaseError as error:
            try:
                connection.rollback()
            except sqlite3.Error:
                pass
            if not self._is_corruption(error):
                if self.strict:
                    raise InputError(
                        f"the sentence cache cannot be used: {error}",
                        where=str(self.path),
                        hint="check the file's and its directory's permissions, or name another file with --path",
                    ) from None
                self.warn(f"warning: sentence cache {self.path}: {error}; continuing without it for this step")
                return fallback
            if retry:
                self._rebuild(error)
                return self._guarded(action, fallback, retry=False)
            self._disable(f"failed again after a rebuild ({error})")
            return fallback

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except sqlite3.Error:
                pass
            self._connection = None

    # -- reading and writing -----------------------------------------------------------------

    def get_many(self, identity: str, sentences: Sequence[str]) -> dict[str, Translation]:
        """The cached translations of those ``sentences`` that have one, by source sentence."""
        unique = list(dict.fromkeys(sentences))
        keys = {sentence_key(identity, s): s for s in unique}

        def action(connection: sqlite3.Connection) -> dict[str, Translation]:
            found: dict[str, Translation] = {}
            used: list[bytes] = []
            for chunk, marks in chunked(list(keys)):
                rows = connection.execute(
                    f"SELECT key, translation, info FROM translations WHERE key IN ({marks})",
                    chunk,
                ).fetchall()
                for key, text, info in rows:
                    source = keys[bytes(key)]
                    try:
                        details = json.loads(info)
                    except ValueError:
                        continue  # a damaged row is a miss
                    details = details if isinstance(details, dict) else {}
                    details["cached"] = True
                    found[source] = Translation(source, text, 0.0, details)
                    used.append(bytes(key))
            self._touch(connection, used)
            return found

        return self._guarded(action, {})

    def _touch(self, connection: sqlite3.Connection, keys: list[bytes]) -> None:
        """Mark rows as used now (least recently used go first); best effort: a read-only cache still answers."""
        now = time.time()
        try:
            for chunk, marks in chunked(keys):
                connection.execute(f"UPDATE translations SET used = ? WHERE key IN ({marks})", [now, *chunk])
        except sqlite3.OperationalError:
            pass

    @staticmethod
    def _live_bytes(connection: sqlite3.Connection) -> int:
        """Bytes of the database's pages in use (freed pages are reused, so they do not count)."""
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        return int((pages - free) * size)

    def _evict(self, connection: sqlite3.Connection, limit: int) -> int:
        """Delete least recently used rows until the live size is under ``_EVICT_TO`` of ``limit``.

        Rows per page vary, so the row count is estimated and the estimate repeated (a few rounds at most).
        """
        removed = 0
        for _ in range(8):
            live = self._live_bytes(connection)
            if limit <= 0 or live <= (limit if not removed else limit * _EVICT_TO):
                break
            entries = connection.execute("SELECT count(*) FROM translations").fetchone()[0]
            if not entries:
                break
            remove = min(entries, max(1, int((live - limit * _EVICT_TO) / (live / entries)) + 1))
            connection.execute(
                "DELETE FROM translations WHERE key IN (SELECT key FROM translations ORDER BY used LIMIT ?)", (remove,)
            )
            removed += remove
        if removed:
            connection.execute("DELETE FROM identities WHERE model NOT IN (SELECT DISTINCT model FROM translations)")
        return removed

    def put_many(self, identity: str, translations: Sequence[Translation]) -> int:
        """Store translations under ``identity``; returns how many rows were written."""
        if not translations:
            return 0
        model = _digest(identity)
        now = time.time()
        rows = []
        for item in translations:
            info = {k: v for k, v in item.info.items() if k != "cached"}
            rows.append(
                (
                    sentence_key(identity, item.source),
                    model,
                    item.text,
                    json.dumps(info, ensure_ascii=False, default=str),
                    float(item.seconds),
                    now,
                    now,
                )
            )

        def action(connection: sqlite3.Connection) -> int:
            with immediate_transaction(connection):
                connection.execute(
                    "INSERT OR IGNORE INTO identities (model, identity) VALUES (?, ?)", (model, identity)
                )
                connection.executemany(
                    "INSERT OR REPLACE INTO translations (key, model, translation, info, seconds, created, used) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                self.evicted += self._evict(connection, self.max_bytes)
            return len(rows)

        return self._guarded(action, 0)

    def stats(self) -> CacheStats:
        if not self.path.exists():
            return CacheStats(self.path, exists=False)

        def action(connection: sqlite3.Connection) -> CacheStats:
            entries, oldest, newest = connection.execute(
                "SELECT count(*), min(created), max(created) FROM translations"
            ).fetchone()
            per_identity = connection.execute(
                "SELECT coalesce(i.identity, '?'), count(*) FROM translations t LEFT JOIN identities i ON "
                "i.model = t.model "
                "GROUP BY t.model ORDER BY count(*) DESC"
            ).fetchall()
            return CacheStats(
                self.path,
                True,
                entries,
                len(per_identity),
                _file_bytes(self.path),
                oldest,
                newest,
                [(str(a), int(b)) for a, b in per_identity],
            )

        return self._guarded(action, CacheStats(self.path, exists=self.path.exists()))

    def clear(self) -> int:
        """Delete every cached translation; returns how many there were."""
        if not self.path.exists():
            return 0

        def action(connection: sqlite3.Connection) -> int:
            with immediate_transaction(connection):
                count = connection.execute("SELECT count(*) FROM translations").fetchone()[0]
                connection.execute("DELETE FROM translations")
                connection.execute("DELETE FROM identities")
            _compact(connection)
            return int(count)

        return self._guarded(action, 0)


@dataclass
class PruneResult:
    """What ``idtrans cache prune`` did."""

    path: Path
    removed: int
    before_bytes: int
    after_bytes: int
    limit_bytes: int


def _file_bytes(path: Path) -> int:
    return sum(Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists())


def _compact(connection: sqlite3.Connection) -> None:
    """Give freed space back to the file system (best effort: another process may be reading)."""
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # VACUUM itself went through the WAL
    except sqlite3.OperationalError:
        pass


def prune_cache(
    store: SentenceCache, *, max_bytes: int | None = None, older_than_days: float | None = None
) -> PruneResult:
    """Evict least recently used rows down to ``max_bytes`` (default: the store's limit) and rows unused for
    ``older_than_days``, then compact the file. A cache that cannot be changed raises (``store.strict``)."""
    limit = store.max_bytes if max_bytes is None else max_bytes
    if not store.path.exists():
        return PruneResult(store.path, 0, 0, 0, limit)
    before = _file_bytes(store.path)

    def action(connection: sqlite3.Connection) -> int:
        removed = 0
        with immediate_transaction(connection):
            if older_than_days is not None:
                cutoff = time.time() - older_than_days * 86400
                removed += connection.execute("DELETE FROM translations WHERE used < ?", (cutoff,)).rowcount
            removed += store._evict(connection, limit) if limit > 0 else 0
            connection.execute("DELETE FROM identities WHERE model NOT IN (SELECT DISTINCT model FROM translations)")
        _compact(connection)
        return int(removed)

    removed = store._guarded(action, 0)
    return PruneResult(store.path, removed, before, _file_bytes(store.path), limit)


class CachedTranslator:
    """A Translator that answers from the sentence cache and translates only the misses.

    Repeated sentences within one call are translated once. Cached results come back with
    ``info["cached"] = True`` and ``seconds = 0``. ``hits`` / ``misses`` count this object's lookups.
    """

    def __init__(
        self,
        inner: Translator,
        path: Path | str | None = None,
        *,
        warn: Callable[[str], None] = _warn,
        verify: Callable[[Translation], bool] | None = None,
    ) -> None:
        self.inner = inner
        self.store = SentenceCache(path, warn=warn)
        self.path = self.store.path
        self.verify = verify
        self.hits = 0
        self.misses = 0
        self.damaged = 0  # cached rows that failed ``verify`` and were translated again
        self.last_misses: list[str] = []

    @property
    def identity(self) -> str:
        return self.inner.identity

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        sentences = list(sentences)
        identity = self.inner.identity
        found = self.store.get_many(identity, sentences)
        if self.verify is not None:
            damaged = [source for source, item in found.items() if not self.verify(item)]
            for source in damaged:
                del found[source]
            self.damaged += len(damaged)
        missing = [s for s in dict.fromkeys(sentences) if s not in found]
        self.last_misses = missing
        fresh: dict[str, Translation] = {}
        if missing:
            translated = self.inner.translate(missing)
            if len(translated) != len(missing):
                raise TranslationError(
                    f"{len(missing)} sentences in, {len(translated)} out",
                    where=identity,
                    hint="report this as a bug in the translator below the cache",
                )
            fresh = dict(zip(missing, translated))
            self.store.put_many(identity, translated)
        results = []
        reused: set[str] = set()
        for sentence in sentences:
            if sentence in found:
                self.hits += 1
                item = found[sentence]
                results.append(Translation(sentence, item.text, 0.0, dict(item.info)))
            else:
                item = fresh[sentence]
                if sentence in reused:  # a repeat within this call: translated once above
                    self.hits += 1
                    results.append(Translation(sentence, item.text, 0.0, {**item.info, "cached": True}))
                else:
                    self.misses += 1
                    reused.add(sentence)
                    results.append(item)
        return results

    def stats(self) -> CacheStats:
        return self.store.stats()

    def clear(self) -> int:
        return self.store.clear()

    def summary_line(self) -> str:
        if self.store.disabled:
            return f"cache: off for this run ({self.path} unusable)"
        damaged = f", {self.damaged} damaged row(s) translated again" if self.damaged else ""
        evicted = f", {self.store.evicted} old row(s) evicted (size limit)" if self.store.evicted else ""
        return f"cache: {self.hits} hit(s), {self.misses} miss(es){damaged}{evicted} ({self.path})"

    def close(self) -> None:
        self.store.close()
