"""Security headers (a strict Content-Security-Policy) and request latency, as ASGI middleware."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: injected markup cannot run even if escaping failed.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# Swagger UI (/docs) and ReDoc (/redoc) need their inline bootstrap script and styles; their
# assets are served from /static/docs (fastapi-offline), so nothing is loaded from elsewhere.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'"
)
_STATIC = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class ServingMiddleware:
    def __init__(self, app: ASGIApp, *, latency: Histogram) -> None:
        self.app = app
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        csp = DOCS_CSP if path in ("/docs", "/redoc") else CSP
        status = {"code": 500}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", csp.encode()), *_STATIC]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route: Any = scope.get("route")
            # The route's template, never the raw path: ids and junk URLs stay out of labels.
            label = getattr(route, "path", None) or (
                "/static" if path.startswith("/static/") else "unmatched"
            )
            self.latency.labels(scope["method"], label, str(status["code"])).observe(
                time.perf_counter() - started
            )
