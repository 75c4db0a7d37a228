"""Build one training corpus from several parallel sets: domain tags, up-sampling, filters.

A *mix* is a YAML file (see ``training/mixes/``) listing the sets to combine:

.. code-block:: yaml

    sets:
      - name: panl-news                 # a label for the report
        path: train                     # PREFIX under the corpora directory: PREFIX.id + PREFIX.en
        lines: [1, 24003]               # optional: only these (1-based, inclusive) lines
        tag: null                       # optional domain tag prepended to the source ("<rel> ...")
        repeat: 2                       # optional up-sampling (whole copies), default 1
        sample: 10000                   # optional: keep a seeded random subset of this many pairs
        kind: sentences                 # or "lexicon": dictionary entries (no sentence filters)

Rules:

1. Every set is read strictly (line-aligned UTF-8) and cleaned by
   :func:`idtrans.corpus.parallel.clean_pairs` (normalise, repair, length, ratio, dedup, and the
   contamination guard against every ``exclude`` set).
2. Sentence sets then pass two filters, each counted in the report:
   ``num_mismatch`` (after reading Indonesian ``11.000``/``3,5`` and English ``11,000``/``3.5`` as
   the same values, a pair is dropped when a number of two or more digits on one side is absent
   from the other, or when both sides hold numbers and they differ) and ``not_english`` (the
   English side is a copy of the source, or most of its words are Indonesian function words).
3. A tag marks a domain the news desk does not want to sound like (scripture, software help, UI
   strings, dictionary entries). News and general text stay untagged, so the translator never
   adds a tag: untagged input is the news register the model learns.
4. The output is ``OUT/train.id``, ``OUT/train.en`` and ``OUT/mix-report.json`` (per set: read,
   each step's removals, kept, repeated). Writing is atomic; the same mix file and seed always give
   the same files.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from idtrans.corpus.parallel import CleaningOptions, clean_pairs, load_eval_keys, read_parallel
from idtrans.errors import TrainingError
from idtrans.io import atomic_write_text

TAG_PATTERN = re.compile(r"^<([a-z]{2,8})> ")
_ALLOWED_KEYS = {"name", "path", "lines", "tag", "repeat", "sample", "kind"}
_KINDS = ("sentences", "lexicon")

# Indonesian function words that never belong in English text (short, frequent, unambiguous).
# fmt: off
_INDONESIAN_WORDS = frozenset([
    "yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "tidak", "pada", "akan", "dalam", "juga",
    "ada", "adalah", "oleh", "karena", "sudah", "bisa", "saya", "kami", "kita", "mereka", "tersebut", "atau",
    "telah", "sebagai", "lebih", "harus", "menjadi", "setelah",
])
# fmt: on
_ID_NUMBER = re.compile(r"\d+(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
_EN_NUMBER = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


@dataclass(frozen=True)
class MixSet:
    name: str
    path: str
    lines: tuple[int, int] | None = None
    tag: str | None = None
    repeat: int = 1
    sample: int | None = None
    kind: str = "sentences"


@dataclass
class MixReport:
    sets: dict[str, dict] = field(default_factory=dict)
    total_pairs: int = 0
    seed: int = 0

    def as_dict(self) -> dict:
        return {"seed": self.seed, "total_pairs": self.total_pairs, "sets": self.sets}


def _number_values(text: str, pattern: re.Pattern, thousands: str, decimal: str) -> list[str]:
    values = []
    for match in pattern.findall(text):
        plain = match.replace(thousands, "").replace(decimal, ".")
        values.append(plain.lstrip("0") or "0")
    return values


def numbers_mismatch(source: str, target: str) -> bool:
    """True when the numbers of an Indonesian/English pair disagree (rule 2 of the module docstring)."""
    src = _number_values(source, _ID_NUMBER, ".", ",")
    tgt = _number_values(target, _EN_NUMBER, ",", ".")
    if not src and not tgt:
        return False
    s, t = set(src), set(tgt)
    if src and tgt:
        # Both sides hold numbers: they must be the same values (a side may write one the other
        # language's way, 3,5 vs 3.5, so a value read by either convention counts).
        return not (s <= t | {v.replace(".", "") for v in tgt} and t <= s | {v.replace(".", "") for v in src})
    lone = src or tgt
    return any(len(v.split(".")[0]) >= 2 for v in lone)


def not_english(source: str, target: str) -> bool:
    """True when the English side is a copy of the source or mostly Indonesian function words."""
    words = re.findall(r"[a-z]+", target.lower())
    if len(words) >= 4 and source.strip().lower() == target.strip().lower():
        return True
    if len(words) < 4:
        return False
    return sum(w in _INDONESIAN_WORDS for w in words) / len(words) >= 0.25


_MIX_HINT = (
    "list the parallel sets under 'sets:', each with a name and a path (e.g. `- {name: news, path: train}`); "
    "training/mixes/news-v2.yaml is a complete example"
)


def load_mix(path: Path) -> list[MixSet]:
    """Read and check a mix file; every problem is reported with the file and the set's position."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrainingError(
            "mix file not found", where=str(path), hint="pass a YAML file like training/mixes/news-v2.yaml"
        ) from None
    except Exception as error:  # ruamel raises many types for malformed YAML
        raise TrainingError(f"not a valid YAML mix file: {error}", where=str(path), hint=_MIX_HINT) from None
    if not isinstance(data, dict) or not isinstance(data.get("sets"), list) or not data["sets"]:
        what = "is empty" if data is None else "needs a non-empty 'sets:' list"
        raise TrainingError(f"the mix file {what}", where=str(path), hint=_MIX_HINT)
    sets = []
    for i, item in enumerate(data["sets"], 1):
        where = f"{path}: set {i}"
        if not isinstance(item, dict):
            raise TrainingError("each set must be a mapping", where=where)
        unknown = set(item) - _ALLOWED_KEYS
        if unknown:
            raise TrainingError(
                f"unknown key(s) {sorted(unknown)}", where=where, hint=f"allowed: {', '.join(sorted(_ALLOWED_KEYS))}"
            )
        if not item.get("name") or not item.get("path"):
            raise TrainingError("a set needs 'name' and 'path'", where=where)
        lines = item.get("lines")
        if lines is not None and (
            not isinstance(lines, list)
            or len(lines) != 2
            or not all(isinstance(n, int) and n >= 1 for n in lines)
            or lines[0] > lines[1]
        ):
            raise TrainingError("'lines' must be [FIRST, LAST], 1-based and FIRST <= LAST", where=where)
        tag = item.get("tag")
        if tag is not None and not re.fullmatch(r"[a-z]{2,8}", str(tag)):
            raise TrainingError(
                f"bad tag {tag!r}", where=where, hint="a tag is 2-8 lower-case letters, written without brackets"
            )
        kind = item.get("kind", "sentences")
        if kind not in _KINDS:
            raise TrainingError(f"unknown kind {kind!r}", where=where, hint=f"use one of: {', '.join(_KINDS)}")
        repeat = item.get("repeat", 1)
        sample = item.get("sample")
        if (
            not isinstance(repeat, int)
            or repeat < 1
            or (sample is not None and (not isinstance(sample, int) or sample < 1))
        ):
            raise TrainingError("'repeat' and 'sample' must be positive integers", where=where)
        sets.append(
            MixSet(str(item["name"]), str(item["path"]), tuple(lines) if lines else None, tag, repeat, sample, kind)
        )
    names = [s.name for s in sets]
    if len(set(names)) != len(names):
        raise TrainingError("set names must be unique", where=str(path))
    return sets


def build_mix(
    sets: Sequence[MixSet],
    corpora: Path,
    out: Path,
    *,
    exclude: Sequence[str | Path] = (),
    seed: int = 1,
    echo: Callable[[str], None] = print,
) -> MixReport:
    """Combine ``sets`` (paths relative to ``corpora``) into ``out/train.{id,en}``; see the module docstring."""
    eval_keys = load_eval_keys(exclude) if exclude else None
    rng = random.Random(seed)
    report = MixReport(seed=seed)
    all_src: list[str] = []
    all_tgt: list[str] = []
    for mix_set in sets:
        corpus = read_parallel(corpora / mix_set.path)
        source, target = corpus.source, corpus.target
        if mix_set.lines:
            first, last = mix_set.lines
            if last > len(source):
                raise TrainingError(
                    f"'lines' ends at {last} but the set has {len(source)} lines", where=f"set {mix_set.name}"
                )
            source, target = source[first - 1 : last], target[first - 1 : last]
        lexicon = mix_set.kind == "lexicon"
        options = CleaningOptions(max_ratio=6.0 if lexicon else 3.0, ratio_min_chars=20)
        s, t, cleaning = clean_pairs(source, target, options, eval_keys)
        steps = dict(cleaning.steps)
        if not lexicon:
            kept_s, kept_t = [], []
            steps["num_mismatch"] = steps["not_english"] = 0
            for a, b in zip(s, t):
                if numbers_mismatch(a, b):
                    steps["num_mismatch"] += 1
                elif not_english(a, b):
                    steps["not_english"] += 1
                else:
                    kept_s.append(a)
                    kept_t.append(b)
            s, t = kept_s, kept_t
        if mix_set.sample and mix_set.sample < len(s):
            chosen = sorted(rng.sample(range(len(s)), mix_set.sample))
            steps["sampled_out"] = len(s) - len(chosen)
            s, t = [s[i] for i in chosen], [t[i] for i in chosen]
        if mix_set.tag:
            s = [f"<{mix_set.tag}> {line}" for line in s]
        kept = len(s)
        for _ in range(mix_set.repeat):
            all_src.extend(s)
            all_tgt.extend(t)
        report.sets[mix_set.name] = {
            "path": mix_set.path,
            "lines": list(mix_set.lines) if mix_set.lines else None,
            "tag": mix_set.tag,
            "kind": mix_set.kind,
            "read": len(source),
            "removed": steps,
            "kept": kept,
            "repeat": mix_set.repeat,
            "in_mix": kept * mix_set.repeat,
        }
        echo(
            f"{mix_set.name}: read {len(source)}, kept {kept}"
            + (f" x{mix_set.repeat}" if mix_set.repeat > 1 else "")
            + (f", tag <{mix_set.tag}>" if mix_set.tag else "")
            + "; removed "
            + ", ".join(f"{k} {v}" for k, v in steps.items() if v and k not in ("normalise", "repair"))
        )
    order = list(range(len(all_src)))
    rng.shuffle(order)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "train.id", "".join(all_src[i] + "\n" for i in order))
    atomic_write_text(out / "train.en", "".join(all_tgt[i] + "\n" for i in order))
    report.total_pairs = len(order)
    atomic_write_text(out / "mix-report.json", json.dumps(report.as_dict(), indent=1, ensure_ascii=False) + "\n")
    return report


def tags_in(source: Sequence[str]) -> list[str]:
    """The domain tags (``<rel>``) that begin lines of ``source``, sorted."""
    found = set()
    for line in source:
        match = TAG_PATTERN.match(line)
        if match:
            found.add(f"<{match.group(1)}>")
    return sorted(found)
