"""Back-translation: English sentences given synthetic Indonesian sources by an English→Indonesian model.

The model is one ``idtrans train --reverse`` trained on the same pairs (issue 10). The output is a
parallel set, ``PREFIX.id`` (synthetic) + ``PREFIX.en`` (the English as it was), that a mix file
lists like any other, usually with its own tag (``tag: bt``) so the model can tell real sources from
synthetic ones. Empty and repeated English lines are left out; both files are written atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from idtrans.corpus.parallel import resolve_pair
from idtrans.errors import InputError
from idtrans.io import atomic_write_text, read_utf8
from idtrans.pipeline.layers.factory import build_translator
from idtrans.pipeline.layers.translator import DecodeSettings

#: Sentences translated between two progress lines.
CHUNK = 2000


def english_lines(path: Path) -> list[str]:
    """The distinct non-empty lines of the UTF-8 file ``path``, in their order, stripped."""
    lines = (line.strip() for line in read_utf8(path, role="English", allow_bom=True).splitlines())
    unique = list(dict.fromkeys(line for line in lines if line))
    if not unique:
        raise InputError("no English sentences to back-translate", where=str(path), hint="pass one sentence a line")
    return unique


def back_translate(
    model: str,
    english: Sequence[str],
    *,
    beams: int = 2,
    backend: str = "auto",
    threads: int | None = None,
    echo: Callable[[str], None] = print,
) -> list[str]:
    """The Indonesian of each English sentence, by the English→Indonesian MarianMT ``model``."""
    translator = build_translator(
        model,
        glossary=None,
        backend=backend,
        threads=threads,
        settings=DecodeSettings(beams=beams, unknown_word_rounds=0),
        notice=echo,
    )
    out: list[str] = []
    for start in range(0, len(english), CHUNK):
        chunk = list(english[start : start + CHUNK])
        out.extend(" ".join(item.text.split()) for item in translator.translate(chunk))
        echo(f"back-translated {len(out)} of {len(english)} sentences")
    return out


def write_back_translations(
    model: str,
    english_file: Path,
    output: Path,
    *,
    beams: int = 2,
    backend: str = "auto",
    threads: int | None = None,
    echo: Callable[[str], None] = print,
) -> tuple[Path, Path, int]:
    """Back-translate ``english_file`` into the parallel set ``output`` (``.id`` + ``.en``).

    Returns both paths and the number of pairs.
    """
    english = english_lines(english_file)
    indonesian = back_translate(model, english, beams=beams, backend=backend, threads=threads, echo=echo)
    id_path, en_path = resolve_pair(output)
    id_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(en_path, "".join(line + "\n" for line in english))
    atomic_write_text(id_path, "".join(line + "\n" for line in indonesian))
    return id_path, en_path, len(english)
