"""Findings of the code review of issues 11 and 13 (one concept in one place, no silent loss), each pinned."""

from __future__ import annotations

import pytest

from idtrans.errors import InputError, ModelError, first_line


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RuntimeError("  first\nsecond\n"), "first"),
        (ValueError(""), "ValueError"),
        (MemoryError(), "MemoryError"),
        (InputError("cannot read it\nmore detail", where="a.txt", hint="fix it"), "cannot read it"),
        (ModelError("bad model", where="x/y"), "bad model"),
    ],
)
def test_first_line_of_an_error(error, expected):
    assert first_line(error) == expected
