"""idtrans: Indonesian to English news translation with an enforced glossary.

The installed namespace is ``idtrans``; its sub-packages live in the repository's
top-level folders (``corpus/``, ``glossary/``, ``pipeline/``, ``eval/``, ``training/``).
Nothing heavy is imported here, so ``idtrans --help`` stays instant.
"""

__version__ = "0.1.0"
