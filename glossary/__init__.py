"""The glossary layer: a YAML glossary of names and terms, matched, protected and enforced.

Public contract (other packages code against these names):

- :func:`load_glossary` / :func:`default_glossary_path`
- :class:`Glossary` (``.match(text)``, ``.fingerprint``, ``.version``), :class:`Entry`, :class:`Match`
- :func:`idtrans.glossary.check.check_translation` → list of :class:`TermCheck`
"""

from idtrans.glossary.check import TermCheck, TermStats, check_translation, term_success
from idtrans.glossary.loader import default_glossary_path, load_glossary
from idtrans.glossary.matcher import Match
from idtrans.glossary.schema import CASE_POLICIES, CATEGORIES, Entry, Glossary, Problem

__all__ = [
    "CASE_POLICIES",
    "CATEGORIES",
    "Entry",
    "Glossary",
    "Match",
    "Problem",
    "TermCheck",
    "TermStats",
    "check_translation",
    "default_glossary_path",
    "load_glossary",
    "term_success",
]
