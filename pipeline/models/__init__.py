"""Which model to load: names, the bundled model, the Hugging Face cache, and CTranslate2 conversion."""
