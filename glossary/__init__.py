"""The glossary layer: a YAML glossary of names and terms, matched, protected and enforced."""
