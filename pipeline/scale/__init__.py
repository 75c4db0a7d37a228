"""Translating archives and large directories on Ray (the ``idtrans[scale]`` extra)."""
