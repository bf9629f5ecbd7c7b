"""Adapters: the edges of clusternews that talk to the outside world (HTTP, storage)."""
