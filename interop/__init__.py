"""Working with the desk's other tools: saved-page output as HTML, XLIFF 2.1 for post-editing in CAT tools,
a translation memory of approved translations (with TMX 1.4b import/export)."""
