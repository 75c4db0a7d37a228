"""Putting translated sentences back into articles and rendering them (text, JSONL, bilingual, HTML, XLIFF)."""
