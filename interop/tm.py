"""The translation memory: approved human translations, kept with their source text, reused on re-translation.

Unlike the sentence cache (:mod:`idtrans.pipeline.layers.cache`, disposable machine output keyed by a hash of
the source and the model's identity), the memory holds the *text* of both sides of every approved
translation, whichever model produced the draft, so it can be exported (TMX), searched for fuzzy
matches and never silently thrown away: a damaged memory file is an error, never rebuilt.

Storage is one SQLite file, ``$IDTRANS_TM`` or ``$XDG_DATA_HOME/idtrans/memory.sqlite3``
(``~/.local/share/idtrans/memory.sqlite3``): one row per (normalised source, language pair), the
latest approval winning. Sources are matched after :func:`normalise_source` (Unicode NFC, runs of
whitespace as one space, curly quotes and apostrophes as straight ones, dashes as ``-``); case and
punctuation otherwise count.

:class:`MemoryTranslator` is the top layer of the translator stack (above the cache): a sentence with
an exact match gets the human translation (``info["tm"]``), every other sentence goes to the layers
below and, when the memory holds similar sources (rapidfuzz ratio ≥ ``threshold``), carries them
as ``info["tm_suggestions"]`` — offered in JSONL and XLIFF, never applied.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from idtrans.errors import InputError
from idtrans.pipeline.layers.translator import Translation, Translator
from idtrans.sqlitedb import chunked, connect, immediate_transaction, install_schema, placeholders, schema_version

TM_ENV = "IDTRANS_TM"
TM_FILENAME = "memory.sqlite3"
SCHEMA_VERSION = 1
#: Default similarity (0-100, rapidfuzz ``ratio`` on normalised sources) for a fuzzy suggestion.
DEFAULT_THRESHOLD = 75.0
DEFAULT_SUGGESTIONS = 3
_BUSY_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    id INTEGER PRIMARY KEY,
    source_key TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    creator TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    props TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL,
    changed REAL NOT NULL,
    UNIQUE (source_key, source_lang, target_lang)
);
"""

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-", "\u00a0": " "}
)


def normalise_source(text: str) -> str:
    """The form sources are compared in: NFC, straight quotes, ``-`` for dashes, single spaces, stripped."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).translate(_QUOTES)).strip()


def default_tm_path() -> Path:
    """``$IDTRANS_TM``, else ``memory.sqlite3`` in idtrans' data directory (user data, not cache)."""
    override = os.environ.get(TM_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    root = Path(base).expanduser() if base else Path.home() / ".local" / "share"
    return root / "idtrans" / TM_FILENAME


@dataclass
class MemoryEntry:
    """One approved translation. Times are Unix seconds (UTC); ``props`` are extra key/value pairs."""

    source: str
    target: str
    source_lang: str = "id"
    target_lang: str = "en"
    origin: str = ""
    creator: str = ""
    note: str = ""
    props: dict[str, str] = field(default_factory=dict)
    created: float = 0.0
    changed: float = 0.0

    def content(self) -> tuple[Any, ...]:
        """Everything the entry holds (for round-trip comparisons)."""
        return (
            self.source,
            self.target,
            self.source_lang,
            self.target_lang,
            self.origin,
            self.creator,
            self.note,
            tuple(sorted(self.props.items())),
            round(self.created),
            round(self.changed),
        )


@dataclass
class Suggestion:
    """A fuzzy match: a remembered translation of a similar source, ``similarity`` 0-100."""

    entry: MemoryEntry
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.entry.source,
            "target": self.entry.target,
            "similarity": round(self.similarity, 1),
            "origin": self.entry.origin,
        }


@dataclass
class AddOutcome:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def line(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


_COLUMNS = "source, target, source_lang, target_lang, origin, creator, note, props, created, changed"


def _entry(row: Sequence[Any]) -> MemoryEntry:
    try:
        props = json.loads(row[7]) if row[7] else {}
    except ValueError:
        props = {}
    return MemoryEntry(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        props if isinstance(props, dict) else {},
        float(row[8]),
        float(row[9]),
    )


class TranslationMemory:
    """The SQLite store. Every database problem becomes an :class:`InputError` naming the file."""

    def __init__(self, path: Path | str | None = None, *, source_lang: str = "id", target_lang: str = "en") -> None:
        self.path = Path(path).expanduser() if path is not None else default_tm_path()
        self.source_lang = source_lang
        self.target_lang = target_lang
        self._connection: sqlite3.Connection | None = None
        self._keys: list[str] | None = None
        self._ids: list[int] = []

    def _fail(self, error: Exception, doing: str) -> InputError:
        return InputError(
            f"translation memory: cannot {doing}: {error}",
            where=str(self.path),
            hint="the file is kept as it is; check it with `sqlite3 FILE 'PRAGMA integrity_check'` "
            "or point $IDTRANS_TM / --tm at another file",
        )

    def _connect(self) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        try:
            if self.path.is_dir():
                raise InputError("is a directory, not a translation memory file", where=str(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = connect(self.path, busy_seconds=_BUSY_SECONDS)
            version = schema_version(connection)
            if version > SCHEMA_VERSION:
                connection.close()
                raise InputError(
                    f"translation memory schema {version} is newer than this idtrans ({SCHEMA_VERSION})",
                    where=str(self.path),
                    hint="upgrade idtrans",
                )
            install_schema(connection, _SCHEMA, SCHEMA_VERSION)
        except sqlite3.Error as error:
            raise self._fail(error, "open it") from None
        except OSError as error:
            raise self._fail(error, "create it") from None
        self._connection = connection
        return connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------

    def add(self, entries: Iterable[MemoryEntry]) -> AddOutcome:
        """Store approved translations (one transaction); an existing source gets the newer target."""
        connection = self._connect()
        outcome = AddOutcome()
        now = time.time()
        try:  # a bad input file mid-way stores nothing
            with immediate_transaction(connection):
                for entry in entries:
                    if not entry.source.strip() or not entry.target.strip():
                        continue
                    key = normalise_source(entry.source)
                    row = connection.execute(
                        "SELECT target, note, origin, creator, props FROM units "
                        "WHERE source_key = ? AND source_lang = ? AND target_lang = ?",
                        (key, entry.source_lang, entry.target_lang),
                    ).fetchone()
                    props = json.dumps(entry.props, ensure_ascii=False, sort_keys=True)
                    created, changed = entry.created or now, entry.changed or entry.created or now
                    if row is None:
                        connection.execute(
                            f"INSERT INTO units (source_key, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (
                                key,
                                entry.source,
                                entry.target,
                                entry.source_lang,
                                entry.target_lang,
                                entry.origin,
                                entry.creator,
                                entry.note,
                                props,
                                created,
                                changed,
                            ),
                        )
                        outcome.added += 1
                    elif tuple(row) == (entry.target, entry.note, entry.origin, entry.creator, props):
                        outcome.unchanged += 1
                    else:
                        connection.execute(
                            "UPDATE units SET source = ?, target = ?, origin = ?, creator = ?, note = ?, props = ?, "
                            "changed = ? WHERE source_key = ? AND source_lang = ? AND target_lang = ?",
                            (
                                entry.source,
                                entry.target,
                                entry.origin,
                                entry.creator,
                                entry.note,
                                props,
                                changed,
                                key,
                                entry.source_lang,
                                entry.target_lang,
                            ),
                        )
                        outcome.updated += 1
        except sqlite3.Error as error:
            raise self._fail(error, "store translations") from None
        self._keys = None
        return outcome

    def remove(self, source: str) -> bool:
        """Forget the approved translation of ``source``; True if there was one."""
        connection = self._connect()
        try:
            cursor = connection.execute(
                "DELETE FROM units WHERE source_key = ? AND source_lang = ? AND target_lang = ?",
                (normalise_source(source), self.source_lang, self.target_lang),
            )
        except sqlite3.Error as error:
            raise self._fail(error, "remove a translation") from None
        self._keys = None
        return cursor.rowcount > 0

    # -- reading -----------------------------------------------------------------------------

    def _select(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._connect().execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise self._fail(error, "read it") from None

    def __len__(self) -> int:
        return int(self._select("SELECT count(*) FROM units")[0][0])

    def entries(self) -> Iterator[MemoryEntry]:
        """Every entry, oldest first (all language pairs)."""
        for row in self._select(f"SELECT {_COLUMNS} FROM units ORDER BY created, id"):
            yield _entry(row)

    def exact(self, sources: Sequence[str]) -> dict[str, MemoryEntry]:
        """The approved translations of those ``sources`` that have one, by source as given."""
        keys: dict[str, list[str]] = {}
        for source in sources:
            keys.setdefault(normalise_source(source), []).append(source)
        found: dict[str, MemoryEntry] = {}
        for chunk, marks in chunked(list(keys)):
            rows = self._select(
                f"SELECT source_key, {_COLUMNS} FROM units WHERE source_lang = ? AND target_lang = ? "
                f"AND source_key IN ({marks})",
                [self.source_lang, self.target_lang, *chunk],
            )
            for row in rows:
                for source in keys[row[0]]:
                    found[source] = _entry(row[1:])
        return found

    def _index(self) -> tuple[list[str], list[int]]:
        if self._keys is None:
            rows = self._select(
                "SELECT id, source_key FROM units WHERE source_lang = ? AND target_lang = ?",
                (self.source_lang, self.target_lang),
            )
            self._ids = [int(r[0]) for r in rows]
            self._keys = [str(r[1]) for r in rows]
        return self._keys, self._ids

    def fuzzy(
        self, source: str, *, threshold: float = DEFAULT_THRESHOLD, limit: int = DEFAULT_SUGGESTIONS
    ) -> list[Suggestion]:
        """Remembered translations of similar sources (not the same one), most similar first."""
        from rapidfuzz import fuzz, process

        keys, ids = self._index()
        key = normalise_source(source)
        if not keys or not key:
            return []
        hits = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=threshold, limit=limit + 1)
        chosen = [(ids[index], score) for choice, score, index in hits if choice != key][:limit]
        if not chosen:
            return []
        rows = self._select(
            f"SELECT id, {_COLUMNS} FROM units WHERE id IN ({placeholders(len(chosen))})", [i for i, _ in chosen]
        )
        by_id = {int(row[0]): _entry(row[1:]) for row in rows}
        return [Suggestion(by_id[i], float(score)) for i, score in chosen if i in by_id]

    def stats(self) -> dict[str, Any]:
        """Counts for ``idtrans tm stats``: entries per language pair and origin, oldest/newest change."""
        if not self.path.exists():
            return {"path": str(self.path), "entries": 0, "pairs": {}, "origins": {}}
        pairs = self._select(
            "SELECT source_lang || '->' || target_lang, count(*) FROM units GROUP BY 1 ORDER BY 2 DESC"
        )
        origins = self._select("SELECT origin, count(*) FROM units GROUP BY 1 ORDER BY 2 DESC LIMIT 20")
        span = self._select("SELECT min(changed), max(changed) FROM units")[0]
        return {
            "path": str(self.path),
            "entries": len(self),
            "pairs": {str(a): int(b) for a, b in pairs},
            "origins": {str(a) or "(none)": int(b) for a, b in origins},
            "oldest": span[0],
            "newest": span[1],
        }


class MemoryTranslator:
    """A Translator layer: exact memory matches win over the layers below; fuzzy ones are offered."""

    def __init__(
        self,
        inner: Translator,
        memory: TranslationMemory,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        suggestions: int = DEFAULT_SUGGESTIONS,
    ) -> None:
        self.inner = inner
        self.memory = memory
        self.threshold = threshold
        self.suggestions = suggestions
        self.exact_hits = 0
        self.suggested = 0

    @property
    def identity(self) -> str:
        return self.inner.identity

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        sentences = list(sentences)
        found = self.memory.exact(sentences) if self.memory.path.exists() else {}
        missing = list(dict.fromkeys(s for s in sentences if s not in found))
        machine = dict(zip(missing, self.inner.translate(missing))) if missing else {}
        results = []
        for sentence in sentences:
            if sentence in found:
                entry = found[sentence]
                self.exact_hits += 1
                match = {
                    "match": "exact",
                    "origin": entry.origin,
                    "creator": entry.creator,
                    "changed": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(entry.changed)),
                }
                results.append(Translation(sentence, entry.target, 0.0, {"tm": match}))
                continue
            item = machine[sentence]
            info: dict[str, Any] = dict(item.info)
            offers = (
                self.memory.fuzzy(sentence, threshold=self.threshold, limit=self.suggestions)
                if self.memory.path.exists() and self.suggestions > 0
                else []
            )
            if offers:
                self.suggested += 1
                info["tm_suggestions"] = [offer.to_dict() for offer in offers]
            results.append(Translation(sentence, item.text, item.seconds, info))
        return results

    def summary_line(self) -> str:
        return (
            f"translation memory: {self.exact_hits} approved translation(s) used, {self.suggested} sentence(s) "
            f"with fuzzy suggestions ({self.memory.path})"
        )
