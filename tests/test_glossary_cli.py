"""`idtrans glossary …` through typer's test runner on the root app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.glossary import default_glossary_path, load_glossary


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def gfile(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(default_glossary_path().read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_list_filters_by_category_and_text(runner, gfile):
    result = runner.invoke(app, ["glossary", "list", "-g", str(gfile), "--category", "person", "--search", "umerov"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert [line.split()[0] for line in lines] == ["rustem-umerov", "umerov"]
    as_json = runner.invoke(app, ["glossary", "list", "-g", str(gfile), "-s", "Korea Utara", "--json"])
    assert json.loads(as_json.stdout.splitlines()[0])["target"] == "North Korea"


def test_list_rejects_unknown_category(runner, gfile):
    result = runner.invoke(app, ["glossary", "list", "-g", str(gfile), "-c", "country"])
    assert result.exit_code == 1 and "unknown category" in result.output


def test_show(runner, gfile):
    result = runner.invoke(app, ["glossary", "show", "defence-minister", "-g", str(gfile)])
    assert result.exit_code == 0
    assert "Defence Minister" in result.stdout and "forbidden: Defense Minister" in result.stdout
    missing = runner.invoke(app, ["glossary", "show", "nope", "-g", str(gfile)])
    assert missing.exit_code == 1 and "no entry with id 'nope'" in missing.output


def test_add_edit_remove_round_trip(runner, gfile):
    before = gfile.read_text()
    result = runner.invoke(
        app,
        [
            "glossary",
            "add",
            "-g",
            str(gfile),
            "-s",
            "Panglima Angkatan Bersenjata",
            "-t",
            "armed forces chief",
            "-c",
            "title",
            "--case",
            "ignore",
            "-f",
            "army boss",
        ],
    )
    assert result.exit_code == 0, result.output
    assert gfile.read_text().startswith(before)
    result = runner.invoke(
        app, ["glossary", "edit", "armed-forces-chief", "-g", str(gfile), "--add-source", "Pangab", "--note", "TNI"]
    )
    assert result.exit_code == 0, result.output
    entry = load_glossary(gfile).get("armed-forces-chief")
    assert entry.sources == ("Panglima Angkatan Bersenjata", "Pangab") and entry.note == "TNI"
    result = runner.invoke(app, ["glossary", "remove", "armed-forces-chief", "-g", str(gfile)])
    assert result.exit_code == 0, result.output
    assert gfile.read_text() == before


def test_add_conflict_is_a_one_line_error(runner, gfile):
    before = gfile.read_text()
    result = runner.invoke(
        app, ["glossary", "add", "-g", str(gfile), "-s", "Korea Utara", "-t", "DPRK", "--id", "dprk"]
    )
    assert result.exit_code == 1
    assert "two renderings" in result.output and "Traceback" not in result.output
    assert gfile.read_text() == before


def test_lint_exit_codes(runner, tmp_path, gfile):
    assert runner.invoke(app, ["glossary", "lint", "-g", str(gfile)]).exit_code == 0
    warn = tmp_path / "warn.yaml"
    warn.write_text("version: 1\nentries:\n  - source: [' Rusia']\n    target: Russia\n")
    result = runner.invoke(app, ["glossary", "lint", "-g", str(warn)])
    assert result.exit_code == 0 and f"{warn}:3: warning" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nentries:\n  - source: [Rusia]\n    target: Russia\n    colour: x\n")
    result = runner.invoke(app, ["glossary", "lint", "-g", str(bad)])
    assert result.exit_code == 1 and f"{bad}:5: error: unknown key 'colour'" in result.stdout


def test_env_variable_selects_the_glossary(runner, gfile, monkeypatch):
    monkeypatch.setenv("IDTRANS_GLOSSARY", str(gfile))
    runner.invoke(app, ["glossary", "add", "-s", "Kota Zed", "-t", "Zed City"])
    assert "Zed City" in gfile.read_text()


def test_export_import(runner, tmp_path, gfile):
    out = tmp_path / "terms.csv"
    result = runner.invoke(app, ["glossary", "export", str(out), "-g", str(gfile), "--layout", "amazon"])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0] == "id,en"
    fresh = tmp_path / "fresh.yaml"
    result = runner.invoke(app, ["glossary", "import", str(out), "-g", str(fresh)])
    assert result.exit_code == 0, result.output
    assert "amazon layout" in result.stdout
    assert len(load_glossary(fresh)) > 200
    stdout = runner.invoke(app, ["glossary", "export", "-", "-g", str(gfile), "--format", "tsv"])
    assert "Korea Utara\tNorth Korea" in stdout.stdout


def test_check_reports_applied_missing_and_forbidden(runner, tmp_path, gfile):
    source = tmp_path / "a.id.txt"
    source.write_text(
        "Menteri Pertahanan Ukraina Rustem Umerov berkata pasukan Korea Utara diserang.\n", encoding="utf-8"
    )
    good = tmp_path / "good.en.txt"
    good.write_text(
        "Ukraine's Defence Minister Rustem Umerov said North Korean troops were attacked.\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["glossary", "check", str(source), str(good), "-g", str(gfile)])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.en.txt"
    bad.write_text("Ukraine's Defense Minister Rustam Umerov said troops were attacked.\n", encoding="utf-8")
    result = runner.invoke(app, ["glossary", "check", str(source), str(bad), "-g", str(gfile), "--json"])
    assert result.exit_code == 1
    records = {r["entry"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert records["north-korea"]["status"] == "missing"
    assert records["rustem-umerov"]["status"] == "missing"
    # "Menteri Pertahanan Ukraina" is one title entry (nationality first in English), not two terms
    assert records["ukrainian-defence-minister"]["status"] == "missing"
    assert records["ukrainian-defence-minister"]["forbidden"] == ["Ukraine's Defense Minister"]
    assert "ukraine" not in records and "defence-minister" not in records
    assert records["troops"]["status"] == "applied"
