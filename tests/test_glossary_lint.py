"""Loading and linting glossary files: every problem reported at file:line."""

from __future__ import annotations

import textwrap

import pytest

from idtrans.errors import GlossaryError
from idtrans.glossary import default_glossary_path, load_glossary
from idtrans.glossary.lint import lint

HEADER = "version: 1\nname: t\nentries:\n"


def _write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "g.yaml"
    path.write_text(header + textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, severity, line, fragment",
    [
        # unknown key, allowed keys listed
        (
            "  - source: [Korea Utara]\n    target: North Korea\n    colour: red\n",
            "error",
            6,
            "allowed keys: id, source, target",
        ),
        # duplicate source form across entries (same rendering)
        (
            "  - source: [Rusia]\n    target: Russia\n  - id: russia-2\n    source: [Rusia]\n    target: Russia\n",
            "error",
            6,
            "duplicate source form 'Rusia'",
        ),
        # one source, two renderings
        ("  - source: [Kiev]\n    target: Kyiv\n  - source: [Kiev]\n    target: Kiev\n", "error", 6, "two renderings"),
        # shadowing through an ignore-case policy
        (
            "  - source: [NATO]\n    target: NATO\n  - id: nato-lower\n    source: [nato]\n    target: NATO "
            "alliance\n    case: ignore\n",
            "warning",
            6,
            "shadow",
        ),
        # empty and whitespace-padded fields
        ("  - source: [Rusia]\n    target: ''\n", "error", 5, "target is empty"),
        ("  - source: [' Rusia']\n    target: Russia\n", "warning", 4, "leading/trailing whitespace"),
        ("  - source: []\n    target: Russia\n", "error", 4, "empty list"),
        # forbidden form equal to the rendering
        ("  - source: [Rusia]\n    target: Russia\n    forbidden: [russia]\n", "error", 6, "equals the rendering"),
        # `also` forms: the rendering itself, a repeat, a plural the check accepts anyway
        ("  - source: [Rusia]\n    target: Russia\n    also: [Russia]\n", "warning", 6, "is the rendering itself"),
        ("  - source: [Rusia]\n    target: Russia\n    also: [Russian, Russian]\n", "warning", 6, "listed twice"),
        ("  - source: [Rusia]\n    target: Russia\n    also: [Russian, Russians]\n", "warning", 6, "plural of another"),
        # bad category / case policy / non-text value
        ("  - source: [Rusia]\n    target: Russia\n    category: country\n", "error", 6, "category 'country'"),
        ("  - source: [Rusia]\n    target: Russia\n    case: upper\n", "error", 6, "case 'upper'"),
        ("  - source: [Rusia]\n    target: 1945\n", "error", 5, "must be text"),
        # duplicate ids
        (
            "  - id: x\n    source: [Rusia]\n    target: Russia\n  - id: x\n    source: [Ukraina]\n    target: "
            "Ukraine\n",
            "error",
            7,
            "duplicate id 'x'",
        ),
        # keep-source with a target that is not a source form
        ("  - source: [KBS]\n    target: BBC\n    case: keep-source\n", "error", 5, "keep-source"),
        # repeated form inside one entry
        ("  - source: [Rusia, Rusia]\n    target: Russia\n", "warning", 4, "within the entry"),
    ],
)
def test_lint_cases(tmp_path, body, severity, line, fragment):
    path = _write(tmp_path, body)
    problems = lint(path)
    hits = [p for p in problems if fragment in p.message]
    assert hits, problems
    assert hits[0].severity == severity
    assert hits[0].where == f"{path}:{line}"


def test_top_level_problems(tmp_path):
    path = _write(tmp_path, "", header="version: 2\nnaam: x\nentries: []\n")
    messages = [(p.where, p.message) for p in lint(path)]
    assert (f"{path}:1", "unsupported version 2; this program reads version 1") in messages
    assert any(where == f"{path}:2" and "allowed keys: version, name" in m for where, m in messages)


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = _write(tmp_path, "  - source: [Rusia\n    target: Russia\n")
    (problem,) = lint(path)
    assert problem.severity == "error" and problem.where.startswith(f"{path}:") and "invalid YAML" in problem.message
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert info.value.where.startswith(f"{path}:")


def test_duplicate_yaml_keys_are_errors(tmp_path):
    path = _write(tmp_path, "  - source: [Rusia]\n    target: Russia\n    target: Rusia\n")
    with pytest.raises(GlossaryError, match="invalid YAML"):
        load_glossary(path)


def test_load_raises_on_errors_with_file_line_and_keeps_warnings(tmp_path):
    bad = _write(tmp_path, "  - source: [Rusia]\n    target: Russia\n    colour: red\n")
    with pytest.raises(GlossaryError) as info:
        load_glossary(bad)
    assert info.value.where == f"{bad}:6" and "lint" in info.value.hint
    ok = _write(tmp_path, "  - source: [' Rusia']\n    target: Russia\n")
    glossary = load_glossary(ok)
    assert glossary.entries[0].sources == ("Rusia",) and len(glossary.problems) == 1


def test_python_tags_are_not_constructed(tmp_path):
    path = _write(tmp_path, "  - source: !!python/object/apply:os.system ['echo hacked']\n    target: x\n")
    with pytest.raises(GlossaryError):
        load_glossary(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(GlossaryError, match="not found"):
        load_glossary(tmp_path / "nope.yaml")


def test_starter_glossary_is_clean_and_british():
    path = default_glossary_path()
    assert lint(path) == []
    glossary = load_glossary(path)
    assert glossary.spelling == "british" and len(glossary) > 200
    targets = " ".join(e.target for e in glossary.entries)
    assert "Defence" in targets and "Defense" not in targets


def test_fingerprint_tracks_content_not_comments(tmp_path):
    a = _write(tmp_path, "  - source: [Rusia]\n    target: Russia\n")
    first = load_glossary(a).fingerprint
    a.write_text(a.read_text() + "# a comment\n")
    assert load_glossary(a).fingerprint == first
    a.write_text(a.read_text().replace("Russia", "Russian Federation"))
    assert load_glossary(a).fingerprint != first


def test_starter_glossary_accepts_the_forms_english_grammar_needs():
    from idtrans.glossary import check_translation

    glossary = load_glossary(default_glossary_path())
    for source, english in [
        ("pasukan Korea Utara", "North Korean troops"),
        ("Menteri Pertahanan Ukraina", "Ukrainian Defence Minister"),
        ("Presiden Rusia", "the Russian President"),
        ("warga Ukraina", "Ukrainians"),
        ("Rusia", "Russia's"),
        ("pejabat AS", "American officials"),
    ]:
        checks = check_translation(glossary, source, english)
        assert checks and all(check.ok for check in checks), (source, english, checks)
