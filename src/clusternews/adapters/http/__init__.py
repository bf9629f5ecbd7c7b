"""The polite HTTP client every fetch in clusternews goes through."""

from clusternews.adapters.http.client import PoliteClient
from clusternews.adapters.http.decoding import decode_body
from clusternews.adapters.http.model import (
    FetchError,
    FetchResult,
    HttpSettings,
    parse_retry_after,
)

__all__ = [
    "FetchError",
    "FetchResult",
    "HttpSettings",
    "PoliteClient",
    "decode_body",
    "parse_retry_after",
]
