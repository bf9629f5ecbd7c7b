"""Locates the `models/` folder (pipelines, knowledge base) from any working directory."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def models_dir() -> Path:
    """`$CLUSTERNEWS_MODELS`, else `models/` in the installed wheel, else the repo's `models/`."""
    env = os.environ.get("CLUSTERNEWS_MODELS")
    candidates = [Path(env)] if env else []
    # A built wheel carries the folder inside the package as _models (setup.py); an editable
    # install uses the repo's.
    candidates += [_PACKAGE / "_models", _PACKAGE.parent.parent / "models"]
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(
        "models/ not found (looked in: " + ", ".join(str(p) for p in candidates) + ")"
    )
