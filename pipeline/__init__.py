"""Translating: model loading, batching, long-sentence splitting, retries, output assembly."""
