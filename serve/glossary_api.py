"""Glossary endpoints under ``/v1/glossary``: list/search, show, add, edit, remove, lint.

1. Edits call :mod:`idtrans.glossary.edit` (file lock, re-read inside the lock, round-trip YAML,
   validation, atomic replace), exactly as ``idtrans glossary add/edit/remove`` do; the
   endpoints are plain ``def`` functions, so FastAPI runs them in its thread pool and a lock
   wait never blocks the event loop.
2. The translator picks an edit up at its next batch (see :mod:`idtrans.serve.engine`).
3. A server started with ``--no-glossary`` answers 409 here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from idtrans.errors import GlossaryError
from idtrans.glossary import CATEGORIES, Entry, Glossary, load_glossary
from idtrans.glossary.edit import add_entry, edit_entry, remove_entry
from idtrans.glossary.lint import lint
from idtrans.serve.access import AccessDenied
from idtrans.serve.engine import file_identity


class EntryIn(BaseModel):
    """A new entry; the same fields as ``idtrans glossary add``."""

    model_config = ConfigDict(extra="forbid")
    source: list[str] = Field(min_length=1)
    target: str | None = None
    category: str = "other"
    case: str = "as-written"
    forbidden: list[str] = []
    also: list[str] = []
    note: str | None = None
    id: str | None = None


class EntryChange(BaseModel):
    """Changes to one entry; the same options as ``idtrans glossary edit``."""

    model_config = ConfigDict(extra="forbid")
    target: str | None = None
    category: str | None = None
    case: str | None = None
    note: str | None = None
    forbidden: list[str] | None = None
    also: list[str] | None = None
    add_source: list[str] = []
    remove_source: list[str] = []
    unset: list[str] = []


_LOADED: dict[Path, tuple[tuple[int, int, int] | None, Glossary]] = {}


def load_cached(path: Path) -> Glossary:
    """The glossary at ``path``, parsed again only when the file changed (inode, size, mtime)."""
    seen = file_identity(path)
    cached = _LOADED.get(path)
    if cached is not None and seen is not None and cached[0] == seen:
        return cached[1]
    glossary = load_glossary(path)
    _LOADED[path] = (seen, glossary)
    return glossary


def entry_json(entry: Entry) -> dict[str, Any]:
    return {**entry.content(), "line": entry.line}


def matches(entry: Entry, needle: str, category: str | None) -> bool:
    """The filter of ``idtrans glossary list``: category, then text in id/forms/rendering/note (any case)."""
    if category and entry.category != category:
        return False
    haystack = " ".join([entry.id, entry.target, entry.note, *entry.sources, *entry.also]).casefold()
    return not needle or needle.casefold() in haystack


def build_router(glossary_path: Callable[[], Path | None], admit: Callable[[Request], None]) -> APIRouter:
    router = APIRouter(prefix="/v1/glossary", tags=["glossary"])

    def path_or_409(request: Request) -> Path:
        admit(request)
        path = glossary_path()
        if path is None:
            raise AccessDenied(409, "this server runs without a glossary (started with --no-glossary)")
        return path

    @router.get("")
    def list_entries(
        request: Request, search: str = "", category: str | None = None, limit: int = 1000
    ) -> dict[str, Any]:
        path = path_or_409(request)
        if category is not None and category not in CATEGORIES:
            raise GlossaryError(f"unknown category {category!r}", hint=f"use one of: {', '.join(CATEGORIES)}")
        glossary = load_cached(path)
        found = [entry_json(e) for e in glossary.entries if matches(e, search, category)]
        return {
            "path": str(path),
            "name": glossary.name,
            "fingerprint": glossary.fingerprint[:16],
            "total": len(glossary),
            "matched": len(found),
            "entries": found[: max(0, limit)],
        }

    @router.get("/lint")
    def lint_glossary(request: Request) -> dict[str, Any]:
        path = path_or_409(request)
        problems = lint(path)
        errors = sum(p.severity == "error" for p in problems)
        return {
            "path": str(path),
            "errors": errors,
            "warnings": len(problems) - errors,
            "problems": [{"severity": p.severity, "where": p.where, "message": p.message} for p in problems],
        }

    @router.get("/{entry_id}")
    def show_entry(request: Request, entry_id: str) -> dict[str, Any]:
        path = path_or_409(request)
        entry = load_cached(path).get(entry_id)
        if entry is None:
            raise AccessDenied(404, f"no entry with id {entry_id!r}")
        return entry_json(entry)

    @router.post("", status_code=201)
    def add(request: Request, body: EntryIn) -> dict[str, Any]:
        path = path_or_409(request)
        new_id = add_entry(path, body.model_dump())
        return {"added": new_id}

    @router.patch("/{entry_id}")
    def edit(request: Request, entry_id: str, body: EntryChange) -> dict[str, Any]:
        path = path_or_409(request)
        changes = {
            k: v
            for k, v in body.model_dump().items()
            if k not in ("add_source", "remove_source", "unset") and v is not None
        }
        if not (changes or body.add_source or body.remove_source or body.unset):
            raise GlossaryError("nothing to change", hint="send at least one field to change")
        edit_entry(
            path, entry_id, changes, add_sources=body.add_source, remove_sources=body.remove_source, unset=body.unset
        )
        return {"edited": entry_id}

    @router.delete("/{entry_id}")
    def remove(request: Request, entry_id: str) -> dict[str, Any]:
        path = path_or_409(request)
        return {"removed": entry_id, "entry": remove_entry(path, entry_id)}

    return router
