"""idtrans: Indonesian to English news translation with an enforced glossary.

The installed namespace is ``idtrans``; its sub-packages live in the repository's
top-level folders (``corpus/``, ``glossary/``, ``pipeline/``, ``eval/``, ``training/``), linked
into this directory so that every tool resolves ``idtrans.*`` to a real file (README: Layout).
Nothing heavy is imported here, so ``idtrans --help`` stays instant.
"""

__version__ = "0.1.0"
