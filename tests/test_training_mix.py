"""Training mixes: number/language filters, mix-file checking, building a tagged, up-sampled corpus."""

from __future__ import annotations

import json

import pytest

from idtrans.errors import TrainingError
from idtrans.training.mix import build_mix, load_mix, not_english, numbers_mismatch, tags_in


@pytest.mark.parametrize(
    "source, target, mismatch",
    [
        ("Kondisi APBN 2007 baik", "The 2007 budget is good", False),
        ("naik 3,5 persen menjadi 11.000 ton", "rose 3.5 percent to 11,000 tonnes", False),
        ("pada 2005 tercatat 517 juta", "in 2005 stood at 912 million", True),
        ("Menurut Halim pada 2008", "According to Halim", True),
        ("lima orang tewas", "five people died", False),
        ("5 orang tewas", "five people died", False),  # one digit: may be written as a word
        ("Ia tiba", "He arrived in 2004", True),
        ("tanpa angka", "no numbers", False),
    ],
)
def test_numbers_mismatch(source, target, mismatch):
    assert numbers_mismatch(source, target) is mismatch


@pytest.mark.parametrize(
    "source, target, bad",
    [
        ("Saya pergi ke pasar hari ini", "Saya pergi ke pasar hari ini", True),
        ("Dia tidak datang", "yang dan di ke dari itu tidak", True),
        ("Dia tidak datang ke sini", "He did not come here", False),
        ("Jakarta", "Jakarta", False),  # short copies (names) are fine
    ],
)
def test_not_english(source, target, bad):
    assert not_english(source, target) is bad


def _pair(directory, name, src, tgt):
    (directory / f"{name}.id").write_text("".join(s + "\n" for s in src), encoding="utf-8")
    (directory / f"{name}.en").write_text("".join(t + "\n" for t in tgt), encoding="utf-8")


def test_build_mix_tags_repeats_filters_and_guards(tmp_path):
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    _pair(
        corpora,
        "news",
        ["Harga naik 3,5 persen", "Ada 12 orang", "Rapat dimulai", "Kalimat uji"],
        ["Prices rose 3.5 percent", "There were 15 people", "The meeting began", "A test sentence"],
    )
    _pair(corpora, "bible", ["Pada mulanya Allah menciptakan langit"], ["In the beginning God created the heaven"])
    _pair(corpora, "dev", ["Kalimat uji"], ["Something else"])
    mix = tmp_path / "mix.yaml"
    mix.write_text(
        "sets:\n  - {name: news, path: news, repeat: 2}\n  - {name: bible, path: bible, tag: rel}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    report = build_mix(load_mix(mix), corpora, out, exclude=[corpora / "dev"], seed=3, echo=lambda m: None)
    source = (out / "train.id").read_text(encoding="utf-8").splitlines()
    target = (out / "train.en").read_text(encoding="utf-8").splitlines()
    assert len(source) == len(target) == report.total_pairs == 2 * 2 + 1
    pairs = set(zip(source, target))
    assert ("<rel> Pada mulanya Allah menciptakan langit", "In the beginning God created the heaven") in pairs
    assert not any("12 orang" in s for s in source)  # number mismatch 12 vs 15
    assert not any("Kalimat uji" in s for s in source)  # dev sentence: contamination guard
    assert source.count("Rapat dimulai") == 2  # up-sampled
    saved = json.loads((out / "mix-report.json").read_text(encoding="utf-8"))
    assert saved["sets"]["news"]["removed"]["num_mismatch"] == 1
    assert saved["sets"]["news"]["removed"]["contamination"] == 1
    assert tags_in(source) == ["<rel>"]
    # Same mix, same seed: the same files.
    build_mix(load_mix(mix), corpora, tmp_path / "again", exclude=[corpora / "dev"], seed=3, echo=lambda m: None)
    assert (tmp_path / "again" / "train.id").read_bytes() == (out / "train.id").read_bytes()


@pytest.mark.parametrize(
    "text, message",
    [
        ("sets: []\n", "non-empty"),
        ("sets:\n  - {name: a, path: b, weight: 2}\n", "unknown key"),
        ("sets:\n  - {name: a, path: b, tag: '<rel>'}\n", "bad tag"),
        ("sets:\n  - {name: a, path: b, lines: [5, 2]}\n", "lines"),
        ("sets:\n  - {name: a, path: b, kind: poem}\n", "unknown kind"),
        ("sets:\n  - {name: a, path: b}\n  - {name: a, path: c}\n", "unique"),
        ("sets: [\n", "not a valid YAML"),
    ],
)
def test_bad_mix_files_are_named(tmp_path, text, message):
    mix = tmp_path / "mix.yaml"
    mix.write_text(text, encoding="utf-8")
    with pytest.raises(TrainingError) as error:
        load_mix(mix)
    assert message in str(error.value)
    assert str(mix) in str(error.value)


def test_io_atomic_write_keeps_mode_and_follows_links(tmp_path):
    import os
    import stat

    from idtrans.io import atomic_write_text

    shared = tmp_path / "shared.yaml"
    shared.write_text("old", encoding="utf-8")
    os.chmod(shared, 0o664)
    link = tmp_path / "link.yaml"
    link.symlink_to(shared)
    atomic_write_text(link, "new")
    assert link.is_symlink() and shared.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    fresh = atomic_write_text(tmp_path / "fresh.txt", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~mask
