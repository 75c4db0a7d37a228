"""``idtrans glossary lint``: every problem of a glossary file, each at ``file:line``.

Errors (exit 1): YAML syntax, unknown keys (the allowed keys are listed), missing or empty
fields, an unknown category or case policy, duplicate ids, a source form listed in two
entries, one source with two renderings, a forbidden form equal to the rendering.
Warnings (exit 0): whitespace-padded fields (they are stripped on load), a form repeated within
one entry, source forms that shadow each other through an ``ignore`` case policy.
"""

from __future__ import annotations

from pathlib import Path

from idtrans.errors import GlossaryError
from idtrans.glossary.loader import analyse
from idtrans.glossary.schema import Problem


def lint(path: str | Path) -> list[Problem]:
    """All problems of ``path``, errors first then warnings, each in file order."""
    try:
        _, problems = analyse(path)
    except GlossaryError as error:  # unreadable or not YAML: one error at its place
        return [Problem("error", error.where or str(path), error.message)]

    def line_of(problem: Problem) -> int:
        tail = problem.where.rsplit(":", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    return sorted(problems, key=lambda p: (p.severity != "error", line_of(p)))
