"""Round-trip edits, atomic writes under a lock, and CSV/TSV import/export."""

from __future__ import annotations

import difflib
import threading

import pytest

from idtrans.errors import GlossaryError
from idtrans.glossary import default_glossary_path, load_glossary
from idtrans.glossary.edit import add_entry, edit_entry, lock_path, merge_entries, remove_entry
from idtrans.glossary.interchange import export_text, import_entries

SMALL = """\
# house glossary: comments must survive edits
version: 1
name: small
entries:
  # people
  - id: umerov
    source: [Rustem Umerov]   # BBC spelling
    target: Rustem Umerov
    category: person

  # places
  - id: north-korea
    source: [Korea Utara]
    target: North Korea
    category: place
  - id: kyiv
    source: ["Kyiv", 'Kiev']
    target: Kyiv
    category: place
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def test_add_changes_only_the_added_lines(small):
    before = small.read_text()
    add_entry(small, {"source": ["Rusia"], "target": "Russia", "category": "place", "also": ["Russian"]})
    assert _diff(before, small.read_text()) == [
        "+   - id: russia",
        "+     source: [Rusia]",
        "+     target: Russia",
        "+     also: [Russian]",
        "+     category: place",
    ]
    assert load_glossary(small).get("russia").also == ("Russian",)


def test_add_to_the_starter_glossary_is_only_added_lines(tmp_path):
    copy = tmp_path / "g.yaml"
    copy.write_text(default_glossary_path().read_text(encoding="utf-8"), encoding="utf-8")
    before = copy.read_text()
    add_entry(
        copy,
        {
            "source": ["Panglima Angkatan Bersenjata"],
            "target": "armed forces chief",
            "category": "title",
            "case": "ignore",
        },
    )
    assert all(line.startswith("+") for line in _diff(before, copy.read_text()))


def test_edit_keeps_comments_quotes_and_other_entries(small):
    before = small.read_text()
    edit_entry(small, "kyiv", {"note": "since 2019"}, add_sources=["Kiyv"])
    after = small.read_text()
    assert _diff(before, after) == [
        "-     source: [\"Kyiv\", 'Kiev']",
        "+     source: [\"Kyiv\", 'Kiev', Kiyv]",
        "+     note: since 2019",
    ]
    edit_entry(small, "umerov", {"forbidden": ["Rustam Umerov"]})
    text = small.read_text()
    assert "# BBC spelling" in text and "  # places\n  - id: north-korea" in text
    assert text.index("forbidden: [Rustam Umerov]") < text.index("  # places")


def test_remove_keeps_the_comment_that_followed(small):
    remove_entry(small, "umerov")
    text = small.read_text()
    assert "Rustem Umerov" not in text and "  # places\n  - id: north-korea" in text
    assert [e.id for e in load_glossary(small).entries] == ["north-korea", "kyiv"]


def test_invalid_edit_leaves_the_file_untouched(small):
    before = small.read_text()
    with pytest.raises(GlossaryError, match="two renderings"):
        add_entry(small, {"source": ["Kiev"], "target": "Kiev", "id": "kiev-old"})
    with pytest.raises(GlossaryError, match="exists"):
        add_entry(small, {"source": ["Kyiv City"], "target": "Kyiv"})
    with pytest.raises(GlossaryError, match="no entry"):
        remove_entry(small, "nope")
    assert small.read_text() == before
    assert not list(small.parent.glob("*.tmp"))


def test_concurrent_adds_all_land(small):
    errors = []

    def add(n):
        try:
            add_entry(small, {"source": [f"Kota {n}"], "target": f"City {n}", "category": "place"})
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    ids = {e.id for e in load_glossary(small).entries}
    assert {f"city-{n}" for n in range(8)} <= ids


def test_lock_held_elsewhere_times_out(small, monkeypatch):
    from filelock import FileLock

    import idtrans.glossary.edit as edit

    monkeypatch.setattr(edit, "LOCK_TIMEOUT", 0.2)
    with FileLock(str(lock_path(small))), pytest.raises(GlossaryError, match="lock"):
        add_entry(small, {"source": ["Rusia"], "target": "Russia"})


def test_atomic_write_failure_keeps_the_old_file(small, monkeypatch):
    import os

    import idtrans.io as file_io  # the glossary is written by idtrans.io.atomic_write_text

    before = small.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(file_io.os, "replace", broken_replace)
    with pytest.raises(OSError):
        add_entry(small, {"source": ["Rusia"], "target": "Russia"})
    assert small.read_text() == before
    assert not [p for p in os.listdir(small.parent) if p.endswith(".tmp")]


def test_add_creates_a_missing_glossary(tmp_path):
    path = tmp_path / "new.yaml"
    add_entry(path, {"source": ["Rusia"], "target": "Russia", "category": "place"})
    assert [e.target for e in load_glossary(path).entries] == ["Russia"]


# -- import / export ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layout, fmt, first_lines",
    [
        ("google", "csv", ["Rustem Umerov,Rustem Umerov", "Korea Utara,North Korea"]),
        ("amazon", "csv", ["id,en", "Rustem Umerov,Rustem Umerov"]),
        ("deepl", "csv", ["Rustem Umerov,Rustem Umerov,ID,EN", "Korea Utara,North Korea,ID,EN"]),
        ("google", "tsv", ["Rustem Umerov\tRustem Umerov", "Korea Utara\tNorth Korea"]),
        ("deepl", "tsv", ["Rustem Umerov\tRustem Umerov", "Korea Utara\tNorth Korea"]),
    ],
)
def test_export_layouts(small, layout, fmt, first_lines):
    text = export_text(load_glossary(small), layout, fmt)
    assert text.splitlines()[: len(first_lines)] == first_lines
    assert "Kiev" in text  # one row per source form


@pytest.mark.parametrize(
    "layout, fmt", [("google", "csv"), ("amazon", "csv"), ("deepl", "csv"), ("google", "tsv"), ("amazon", "tsv")]
)
def test_export_import_round_trip(small, tmp_path, layout, fmt):
    out = tmp_path / f"x.{fmt}"
    out.write_text(export_text(load_glossary(small), layout, fmt), encoding="utf-8")
    detected, entries = import_entries(out)
    assert (
        detected == layout
        or (layout == "google" and fmt == "tsv" and detected == "google")
        or (layout == "deepl" and fmt == "tsv")
    )
    assert {e["target"]: e["source"] for e in entries} == {
        "Rustem Umerov": ["Rustem Umerov"],
        "North Korea": ["Korea Utara"],
        "Kyiv": ["Kyiv", "Kiev"],
    }
    fresh = tmp_path / "fresh.yaml"
    merge_entries(fresh, entries)
    assert {e.target: e.sources for e in load_glossary(fresh).entries} == {
        "Rustem Umerov": ("Rustem Umerov",),
        "North Korea": ("Korea Utara",),
        "Kyiv": ("Kyiv", "Kiev"),
    }


def test_import_merges_reports_conflicts_and_replaces_on_request(small, tmp_path):
    csv_file = tmp_path / "in.csv"
    csv_file.write_text(
        'Korea Utara,DPRK\nKorea Utara,North Korea\nKorut,North Korea\n"Rusia, Federasi",Russian Federation\n',
        encoding="utf-8",
    )
    _, entries = import_entries(csv_file)
    outcome = merge_entries(small, entries)
    assert outcome["extended"] == ["north-korea"] and outcome["added"] == ["russian-federation"]
    assert outcome["conflicts"] and "DPRK" in outcome["conflicts"][0]
    glossary = load_glossary(small)
    assert glossary.get("north-korea").sources == ("Korea Utara", "Korut")
    assert glossary.get("north-korea").target == "North Korea"
    merge_entries(small, [{"source": ["Korea Utara"], "target": "DPRK"}], replace=True)
    assert load_glossary(small).get("north-korea").target == "DPRK"


@pytest.mark.parametrize(
    "content, fmt, message",
    [
        ("en,id\nNorth Korea,Korea Utara\nx\n", "csv", "expected at least"),
        ("Korea Utara,North Korea,EN,ID\n", "csv", "this glossary is id->en"),
        ("Korea Utara\n", "tsv", "expected at least 2 columns"),
        ('"Korea Utara,North Korea\n', "csv", None),
    ],
)
def test_import_errors_name_the_line(tmp_path, content, fmt, message):
    path = tmp_path / f"bad.{fmt}"
    path.write_text(content, encoding="utf-8")
    if message is None:  # an unterminated quote swallows the rest: one field, clear column error
        with pytest.raises(GlossaryError):
            import_entries(path)
        return
    with pytest.raises(GlossaryError, match=message) as info:
        import_entries(path)
    assert info.value.where.startswith(str(path))
