"""Reading and cleaning line-aligned parallel text (``X.id`` / ``X.en``) for training.

The pipeline is a list of named steps; each one reports how many pairs it removed or changed,
so a training run can say exactly what happened to its data:

1. ``read``: both files decoded as UTF-8 (BOM allowed); line counts must match.
2. ``normalise``: Unicode NFC, control characters dropped, tabs and runs of whitespace collapsed.
3. ``repair``: encoding damage that is safely recoverable. PANL-BPPT lost its apostrophes to
   ``?`` (``Wedenesday?s``, ``don?t``): a ``?`` squeezed between a letter and an English clitic
   (``s t d m ll re ve``) followed by a word boundary cannot be a question mark, so it becomes
   ``'``; a short table of known misspellings in that corpus (``Wedenesday`` -> ``Wednesday``)
   is applied as well. Anything less certain (split words such as ``inde x``) is left alone.
4. ``empty``: pairs with an empty side.
5. ``length``: pairs with a side longer than ``max_words`` words (or shorter than ``min_words``).
6. ``ratio``: pairs whose character lengths differ by more than ``max_ratio`` (only checked once
   the longer side has at least ``ratio_min_chars`` characters, so short phrases are kept).
7. ``dedup``: exact duplicate pairs after normalisation (the first is kept).
8. ``contamination``: any pair whose source, or whose target, matches a sentence of a given
   evaluation set after aggressive normalisation (NFKC, case-folded, punctuation and spaces
   removed). Training on dev or test sentences would make every score meaningless.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from idtrans.errors import InputError
from idtrans.io import read_utf8

__all__ = [
    "CleaningOptions",
    "CleaningReport",
    "ParallelCorpus",
    "clean_pairs",
    "clean_segment",
    "contamination_key",
    "load_eval_keys",
    "read_parallel",
    "repair_encoding",
]

_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u200e\u200f\u2028\u2029\ufeff]")
_SPACE = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# A '?' between a letter and an English clitic that ends the word: a lost apostrophe, never a question mark.
_LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\?(?=(?:s|t|d|m|ll|re|ve)\b)")
# Misspellings seen in PANL-BPPT English; each is unambiguous.
KNOWN_MISSPELLINGS: dict[str, str] = {
    "Wedenesday": "Wednesday",
    "Wednesdy": "Wednesday",
    "Thrusday": "Thursday",
    "Tuesdy": "Tuesday",
}
_MISSPELLING = re.compile(r"\b(" + "|".join(map(re.escape, KNOWN_MISSPELLINGS)) + r")\b")
_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)


def clean_segment(text: str) -> str:
    """NFC, no control or zero-width characters, single spaces, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    return _SPACE.sub(" ", text).strip()


def repair_encoding(text: str) -> str:
    """Undo the safely recoverable encoding damage described in the module docstring."""
    text = _LOST_APOSTROPHE.sub("'", text)
    return _MISSPELLING.sub(lambda m: KNOWN_MISSPELLINGS[m.group(1)], text)


def contamination_key(text: str) -> str:
    """The key two sentences share when they are "the same sentence" for the contamination guard."""
    return _PUNCT_OR_SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass
class ParallelCorpus:
    """Source and target sentences, one pair per index."""

    source: list[str]
    target: list[str]
    origin: str = ""

    def __len__(self) -> int:
        return len(self.source)


def _read_lines(path: Path) -> list[str]:
    """The lines of a corpus file (UTF-8, BOM allowed); only ``\n`` ends a line, a trailing ``\r`` is dropped."""
    lines = read_utf8(path, role="corpus", allow_bom=True).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def resolve_pair(prefix: str | Path, source_lang: str = "id", target_lang: str = "en") -> tuple[Path, Path]:
    """``data/train`` -> (``data/train.id``, ``data/train.en``); a path ending in ``.id`` is accepted too."""
    prefix = Path(prefix)
    if prefix.suffix in (f".{source_lang}", f".{target_lang}"):
        prefix = prefix.with_suffix("")
    return prefix.with_name(prefix.name + f".{source_lang}"), prefix.with_name(prefix.name + f".{target_lang}")


def read_parallel(prefix: str | Path, source_lang: str = "id", target_lang: str = "en") -> ParallelCorpus:
    """Read ``PREFIX.id`` and ``PREFIX.en``; they must have the same number of lines."""
    src_path, tgt_path = resolve_pair(prefix, source_lang, target_lang)
    source, target = _read_lines(src_path), _read_lines(tgt_path)
    if len(source) != len(target):
        raise InputError(
            f"{src_path.name} has {len(source)} lines but {tgt_path.name} has {len(target)}",
            where=str(src_path.parent / src_path.stem),
            hint="the two files must be line-aligned: line N of one is the translation of line N of the other",
        )
    return ParallelCorpus(source, target, origin=str(src_path.with_suffix("")))


def load_eval_keys(
    prefixes: Iterable[str | Path], source_lang: str = "id", target_lang: str = "en"
) -> tuple[set[str], set[str]]:
    """Contamination keys of the source and target sides of the given evaluation sets.

    A prefix whose target file is missing contributes its source side only.
    """
    src_keys: set[str] = set()
    tgt_keys: set[str] = set()
    for prefix in prefixes:
        src_path, tgt_path = resolve_pair(prefix, source_lang, target_lang)
        src_keys.update(k for k in map(contamination_key, _read_lines(src_path)) if k)
        if tgt_path.exists():
            tgt_keys.update(k for k in map(contamination_key, _read_lines(tgt_path)) if k)
    return src_keys, tgt_keys


@dataclass(frozen=True)
class CleaningOptions:
    """Thresholds of the cleaning steps (see the module docstring)."""

    min_words: int = 1
    max_words: int = 150
    max_ratio: float = 3.0
    ratio_min_chars: int = 20
    repair: bool = True
    dedup: bool = True


@dataclass
class CleaningReport:
    """What each step did: ``steps`` maps a step name to the number of pairs removed (or changed, for repair)."""

    input_pairs: int = 0
    output_pairs: int = 0
    steps: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """Human-readable summary, one line per step."""
        out = [f"read {self.input_pairs} pairs"]
        for name, count in self.steps.items():
            verb = "changed" if name in ("normalise", "repair") else "removed"
            out.append(f"  {name:<14} {verb} {count}")
        out.append(f"kept {self.output_pairs} pairs")
        return out

    def as_dict(self) -> dict:
        return {"input_pairs": self.input_pairs, "output_pairs": self.output_pairs, "steps": dict(self.steps)}


def clean_pairs(
    source: Sequence[str],
    target: Sequence[str],
    options: CleaningOptions = CleaningOptions(),
    eval_keys: tuple[set[str], set[str]] | None = None,
) -> tuple[list[str], list[str], CleaningReport]:
    """Run the cleaning steps over aligned pairs; returns the kept pairs and a report."""
    if len(source) != len(target):
        raise InputError(f"{len(source)} source but {len(target)} target sentences", hint="pass line-aligned data")
    report = CleaningReport(input_pairs=len(source))
    steps = dict.fromkeys(("normalise", "repair", "empty", "length", "ratio", "dedup", "contamination"), 0)
    examples: dict[str, list[str]] = {}

    def note(step: str, text: str) -> None:
        steps[step] += 1
        bucket = examples.setdefault(step, [])
        if len(bucket) < 3:
            bucket.append(text[:120])

    seen: set[tuple[str, str]] = set()
    src_keys, tgt_keys = eval_keys or (set(), set())
    kept_src: list[str] = []
    kept_tgt: list[str] = []
    for raw_s, raw_t in zip(source, target):
        s, t = clean_segment(raw_s), clean_segment(raw_t)
        if (s, t) != (raw_s, raw_t):
            note("normalise", raw_t if t != raw_t else raw_s)
        if options.repair:
            rs, rt = repair_encoding(s), repair_encoding(t)
            if (rs, rt) != (s, t):
                note("repair", f"{t} -> {rt}" if rt != t else f"{s} -> {rs}")
            s, t = rs, rt
        if not s or not t:
            note("empty", f"{s} ||| {t}")
            continue
        ns, nt = len(s.split()), len(t.split())
        if min(ns, nt) < options.min_words or max(ns, nt) > options.max_words:
            note("length", f"{s} ||| {t}")
            continue
        longer, shorter = max(len(s), len(t)), min(len(s), len(t))
        if longer >= options.ratio_min_chars and longer > options.max_ratio * shorter:
            note("ratio", f"{s} ||| {t}")
            continue
        if options.dedup:
            if (s, t) in seen:
                note("dedup", s)
                continue
            seen.add((s, t))
        if src_keys or tgt_keys:
            ks, kt = contamination_key(s), contamination_key(t)
            if (ks and ks in src_keys) or (kt and kt in tgt_keys):
                note("contamination", s)
                continue
        kept_src.append(s)
        kept_tgt.append(t)
    report.steps = steps
    report.examples = examples
    report.output_pairs = len(kept_src)
    return kept_src, kept_tgt, report
