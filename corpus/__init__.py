"""Reading, cleaning and segmenting Indonesian text: articles and parallel corpora."""
