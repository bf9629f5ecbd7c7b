"""Absolute links for feeds and paging, from the configured base URL or the request."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request


def base(request: Request, configured: str | None) -> str:
    return (configured or str(request.base_url)).rstrip("/")


def page_url(
    request: Request, configured: str | None, path: str, pairs: list[tuple[str, str]]
) -> str:
    query = urlencode(pairs)
    return f"{base(request, configured)}{path}" + (f"?{query}" if query else "")
