"""Hardening (issue 13): two processes edit one glossary while a third translates with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from idtrans.glossary import load_glossary

GLOSSARY = """\
version: 1
name: shared
entries:
  - id: north-korea
    source: [Korea Utara]
    target: North Korea
    category: place
"""

EDITOR = textwrap.dedent("""
    import sys
    from idtrans.glossary.edit import add_entry
    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(count):
        add_entry(path, {"id": f"{prefix}-{i}", "source": [f"Istilah {prefix} {i}"], "target": f"Term {prefix} {i}"})
""")

READER = textwrap.dedent("""
    import json, sys
    from idtrans.glossary import load_glossary
    path, stop = sys.argv[1], sys.argv[2]
    import os
    seen = []
    while not os.path.exists(stop) or len(seen) < 3:
        glossary = load_glossary(path)
        seen.append(sorted(entry.id for entry in glossary.entries))
    print(json.dumps(seen))
""")


def _prefix_consistent(ids: list[str], prefix: str) -> bool:
    numbers = sorted(int(i.rsplit("-", 1)[1]) for i in ids if i.startswith(prefix + "-"))
    return numbers == list(range(len(numbers)))


def test_two_editors_and_a_translator_lose_nothing(tmp_path, tiny_model_dir):
    glossary = tmp_path / "shared.yaml"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "IDTRANS_CACHE": str(tmp_path / "sentences.sqlite3"),
    }
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(glossary), str(stop)], env=env, stdout=subprocess.PIPE, text=True
    )
    editors = [
        subprocess.Popen([sys.executable, "-c", EDITOR, str(glossary), prefix, "50"], env=env) for prefix in ("a", "b")
    ]
    article = tmp_path / "a.txt"
    article.write_text("Judul berita\n\nPasukan Korea Utara tiba di perbatasan.\n", encoding="utf-8")
    translations = []
    while any(editor.poll() is None for editor in editors) and len(translations) < 3:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "idtrans",
                "translate",
                str(article),
                "--model",
                str(tiny_model_dir),
                "--beams",
                "1",
                "--format",
                "jsonl",
                "--glossary",
                str(glossary),
                "--no-cache",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        translations.append([json.loads(line) for line in done.stdout.splitlines()])
    assert all(editor.wait(timeout=300) == 0 for editor in editors)
    stop.write_text("", encoding="utf-8")
    snapshots = json.loads(reader.communicate(timeout=300)[0])

    final = {entry.id for entry in load_glossary(glossary).entries}
    assert {f"a-{i}" for i in range(50)} <= final and {f"b-{i}" for i in range(50)} <= final  # no edit lost
    assert len(final) == 101
    # Every read saw one whole version: each editor's entries form an unbroken prefix 0..k.
    assert snapshots and all(_prefix_consistent(ids, "a") and _prefix_consistent(ids, "b") for ids in snapshots)
    assert translations  # at least one translation ran during the edits, each with a complete glossary
    for records in translations:
        terms = [term for record in records for term in record.get("glossary", [])]
        assert any(term.get("entry") == "north-korea" or term.get("id") == "north-korea" for term in terms), records
