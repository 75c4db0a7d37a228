"""Reading article files (idtrans.corpus.reader)."""

from __future__ import annotations

import io
import os
import sys
import unicodedata
from pathlib import Path

import pytest

from idtrans.corpus.reader import ARTICLE_SUFFIXES, collect_inputs, decode_text, normalise_text, read_text
from idtrans.errors import InputError

NFD_TEXT = unicodedata.normalize("NFD", "Café Señor résumé")
NFC_TEXT = unicodedata.normalize("NFC", NFD_TEXT)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Satu.\nDua.\n", "Satu.\nDua.\n"),
        (b"\xef\xbb\xbfSatu.\n", "Satu.\n"),  # UTF-8 BOM dropped
        (b"Satu.\r\nDua.\r\n", "Satu.\nDua.\n"),  # CRLF
        (b"Satu.\rDua.", "Satu.\nDua."),  # old Mac CR
        ("Satu.\u2029Dua.\u2028Tiga.".encode(), "Satu.\n\nDua.\nTiga."),
        (NFD_TEXT.encode(), NFC_TEXT),
        (b"\xef\xbb\xbf" + NFD_TEXT.encode() + b"\r\n", NFC_TEXT + "\n"),
        (b"", ""),
    ],
)
def test_read_text_normalises(tmp_path: Path, data: bytes, expected: str) -> None:
    file = tmp_path / "a.txt"
    file.write_bytes(data)
    assert read_text(file) == expected
    assert read_text(str(file)) == expected


def test_nfd_really_differs() -> None:  # guard: the NFD fixture above must not already be NFC
    assert NFD_TEXT != NFC_TEXT and len(NFD_TEXT) > len(NFC_TEXT)


def test_normalise_text_idempotent() -> None:
    text = "\ufeffA\r\nB\rC" + NFD_TEXT
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once and not once.startswith("\ufeff")


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        (b"Satu.\nDua\x00tiga", ["NUL byte", "byte offset 9", "line 2"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["NUL byte"]),
        (b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n", ["not valid UTF-8", "byte 0xe2", "byte offset 9", "line 2"]),
        (b"Caf\xe9 enak.\n", ["not valid UTF-8", "byte 0xe9", "byte offset 3", "line 1"]),
        (b"\xef\xbb\xbfA\nB\nC\xff", ["byte 0xff", "byte offset 8", "line 3"]),
        ("Satu.".encode("utf-16"), ["UTF-16"]),
    ],
)
def test_not_text_is_input_error_naming_file(tmp_path: Path, data: bytes, fragments: list[str]) -> None:
    file = tmp_path / "bad article.txt"
    file.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_text(file)
    error = caught.value
    assert error.where == str(file)
    assert str(file) in str(error)
    for fragment in fragments:
        assert fragment in error.message
    assert error.hint


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as caught:
        read_text(tmp_path / "nope.txt")
    assert caught.value.where == str(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


@pytest.mark.parametrize(
    ("exception", "message"),
    [
        (PermissionError(13, "Permission denied"), "permission denied"),
        (OSError(5, "Input/output error"), "Input/output error"),
    ],
)
def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exception: OSError, message: str) -> None:
    file = tmp_path / "secret.txt"
    file.write_text("x")

    def refuse(self: Path, *args: object, **kwargs: object) -> bytes:
        raise exception

    monkeypatch.setattr(Path, "open", refuse)  # chmod 0 does not stop root, so simulate it
    with pytest.raises(InputError, match=message) as caught:
        read_text(file)
    assert caught.value.where == str(file)


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbfJudul\r\n\r\nIsi.")))
    assert read_text("-") == "Judul\n\nIsi."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a\x00")))
    with pytest.raises(InputError) as caught:
        read_text("-")
    assert caught.value.where == "<stdin>"


def test_decode_text_where() -> None:
    with pytest.raises(InputError) as caught:
        decode_text(b"\xff", where="x.txt")
    assert caught.value.where == "x.txt"


def test_collect_inputs_directory(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.md",
        "sub/c.TXT",
        "sub/deeper/d.txt",
        "notes.pdf",
        "e.json",
        ".hidden.txt",
        ".git/x.txt",
        "sub/.cache/y.md",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "dir.txt").mkdir()  # a directory named like an article is not one
    found = [p.relative_to(tmp_path).as_posix() for p in collect_inputs(tmp_path)]
    assert found == ["a.md", "b.txt", "sub/c.TXT", "sub/deeper/d.txt"]
    assert collect_inputs(str(tmp_path)) == collect_inputs(tmp_path)
    assert set(ARTICLE_SUFFIXES) == {".txt", ".md", ".html", ".htm"}


def test_collect_inputs_file_and_stdin(tmp_path: Path) -> None:
    file = tmp_path / "artikel.text"
    file.write_text("x")
    assert collect_inputs(file) == [file]  # a named file is taken whatever its suffix
    assert collect_inputs("-") == [Path("-")]


@pytest.mark.parametrize("setup", ["missing", "empty", "no_articles", "only_hidden"])
def test_collect_inputs_errors(tmp_path: Path, setup: str) -> None:
    target = tmp_path / "in"
    if setup != "missing":
        target.mkdir()
    if setup == "no_articles":
        (target / "photo.jpg").write_bytes(b"\xff\xd8")
    if setup == "only_hidden":
        (target / ".draft.txt").write_text("x")
    with pytest.raises(InputError) as caught:
        collect_inputs(target)
    assert caught.value.where == str(target)
    assert caught.value.hint


def test_collect_inputs_special_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="neither a regular file nor a directory"):
        collect_inputs(fifo)
