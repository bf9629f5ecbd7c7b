"""One error type per stage; messages start with the stage so a source's status reads clearly."""

from __future__ import annotations


class StageError(Exception):
    """A known, expected failure of one stage for one input; stored as data, never a crash."""

    stage = "pipeline"

    def __init__(self, message: str) -> None:
        super().__init__(f"{self.stage}: {message}")


class DiscoverError(StageError):
    stage = "discover"


class ExtractError(StageError):
    stage = "extract"


class StoreError(StageError):
    stage = "store"
