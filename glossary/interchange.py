"""Moving terms between this glossary and the glossaries of DeepL, Google and Amazon Translate.

All three take one term pair per row, source first; the layouts differ in their first row
and extra columns (CSV is RFC 4180 with ``"`` quoting; TSV is tab-separated, no quoting):

``google``  (Google Cloud Translation, unidirectional glossary)
    two columns ``source,target``; no header row: the first row is data.
``amazon``  (Amazon Translate custom terminology)
    a header row of language codes (``id,en``), then ``source,target`` rows.
``deepl``  (DeepL glossary entries)
    CSV rows ``source,target,source_lang,target_lang`` (the language columns are what DeepL's
    own export writes; its API also accepts the two-column form); TSV rows ``source<TAB>target``.

Export writes one row per source form (aliases become rows of their own, all with the
entry's rendering; a ``keep-source`` entry's rows map each form to itself). Import detects the
layout (a language-code header → amazon; language columns 3 and 4 → deepl; else google),
refuses a file whose languages are the other way round, and groups rows with the same
rendering into one entry with several source forms.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from idtrans.errors import GlossaryError
from idtrans.glossary.schema import Glossary

LAYOUTS = ("google", "amazon", "deepl")
FORMATS = ("csv", "tsv")
_LANG_CODES = {"id", "in", "ind", "en", "eng", "en-gb", "en-us", "id-id"}


def guess_format(path: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise GlossaryError(f"unknown format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise GlossaryError(
        "cannot tell CSV from TSV by the file name", where=str(path), hint="pass --format csv or --format tsv"
    )


def _lang(code: str) -> str:
    code = code.strip().lower()
    return {"in": "id", "ind": "id", "id-id": "id", "eng": "en", "en-gb": "en", "en-us": "en"}.get(code, code)


def export_rows(glossary: Glossary, layout: str) -> list[list[str]]:
    """The rows of ``glossary`` in ``layout`` (header included where the layout has one)."""
    if layout not in LAYOUTS:
        raise GlossaryError(f"unknown layout {layout!r}", hint=f"use one of: {', '.join(LAYOUTS)}")
    src, tgt = glossary.source_language, glossary.target_language
    rows: list[list[str]] = [[src, tgt]] if layout == "amazon" else []
    for entry in glossary.entries:
        for form in entry.sources:
            row = [form, entry.rendering(form)]
            if layout == "deepl":
                row += [src.upper(), tgt.upper()]
            rows.append(row)
    return rows


def export_text(glossary: Glossary, layout: str, fmt: str) -> str:
    rows = export_rows(glossary, layout)
    if fmt == "tsv":
        for row in rows:
            for cell in row:
                if "\t" in cell or "\n" in cell:
                    raise GlossaryError(
                        f"term {cell!r} contains a tab or line break; TSV cannot hold it", hint="export as CSV instead"
                    )
        if layout == "deepl":
            rows = [row[:2] for row in rows]
        return "".join("\t".join(row) + "\n" for row in rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def read_rows(path: Path, fmt: str) -> list[tuple[int, list[str]]]:
    """Rows with their 1-based line numbers (blank rows skipped)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GlossaryError("file not found", where=str(path)) from None
    except UnicodeDecodeError:
        raise GlossaryError("not UTF-8 text", where=str(path), hint="save the file as UTF-8") from None
    rows: list[tuple[int, list[str]]] = []
    if fmt == "tsv":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                rows.append((number, line.split("\t")))
        return rows
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
    except csv.Error as error:
        raise GlossaryError(f"malformed CSV: {error}", where=f"{path}:{reader.line_num}") from None
    return rows


def detect_layout(rows: list[tuple[int, list[str]]]) -> str:
    if not rows:
        return "google"
    first = rows[0][1]
    if len(first) >= 2 and all(_lang(c) in _LANG_CODES for c in first[:2]):
        return "amazon"
    if len(first) >= 4 and all(_lang(c) in _LANG_CODES for c in first[2:4]):
        return "deepl"
    return "google"


def import_entries(
    path: str | Path,
    *,
    fmt: str | None = None,
    layout: str | None = None,
    category: str = "other",
    case: str = "as-written",
    source_language: str = "id",
    target_language: str = "en",
) -> tuple[str, list[dict]]:
    """Read a DeepL/Google/Amazon glossary file into entry fields (rows grouped by rendering).

    Returns the layout used and the entries, each ``{"source": [...], "target": ..., "category": ..., "case": ...}``.
    """
    path = Path(path)
    fmt = guess_format(path, fmt)
    rows = read_rows(path, fmt)
    layout = layout or detect_layout(rows)
    if layout not in LAYOUTS:
        raise GlossaryError(f"unknown layout {layout!r}", hint=f"use one of: {', '.join(LAYOUTS)}")
    if layout == "amazon":
        if not rows:
            raise GlossaryError("empty file: an Amazon terminology starts with a language-code row", where=str(path))
        line, header = rows[0]
        codes = [_lang(c) for c in header]
        if source_language not in codes or target_language not in codes:
            raise GlossaryError(
                f"header {header} does not name both {source_language!r} and {target_language!r}",
                where=f"{path}:{line}",
                hint="the first row must be language codes, e.g. id,en",
            )
        src_col, tgt_col = codes.index(source_language), codes.index(target_language)
        rows = rows[1:]
    else:
        src_col, tgt_col = 0, 1
    grouped: dict[str, list[str]] = {}
    for line, row in rows:
        where = f"{path}:{line}"
        if len(row) <= max(src_col, tgt_col):
            raise GlossaryError(
                f"expected at least {max(src_col, tgt_col) + 1} columns, found {len(row)}",
                where=where,
                hint="each row is source,target" + (" (tab-separated)" if fmt == "tsv" else ""),
            )
        if layout == "deepl" and len(row) >= 4 and (_lang(row[2]), _lang(row[3])) != (source_language, target_language):
            raise GlossaryError(
                f"row is {row[2]}->{row[3]}, this glossary is {source_language}->{target_language}",
                where=where,
                hint="export the glossary in the Indonesian-to-English direction",
            )
        source, target = row[src_col].strip(), row[tgt_col].strip()
        if not source or not target:
            raise GlossaryError("empty source or target term", where=where)
        forms = grouped.setdefault(target, [])
        if source not in forms:
            forms.append(source)
    entries = []
    for target, forms in grouped.items():
        entry_case = case
        if case == "as-written" and forms == [target]:
            entry_case = "keep-source"
        entries.append({"source": forms, "target": target, "category": category, "case": entry_case})
    return layout, entries
