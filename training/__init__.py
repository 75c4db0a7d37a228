"""Training MarianMT models: vocabularies, size presets, the training loop and checkpoints."""
