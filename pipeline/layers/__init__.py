"""The translator layers: sentence batching and retries, glossary and fact enforcement, the cache, the stack."""
