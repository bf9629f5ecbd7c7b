"""GET /sources.opml: the configured sources as OPML 2.0, the same document as the CLI export."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, HTTPException, Request, Response

from clusternews.config.opml import export_opml
from clusternews.web.context import WebContext

# Not IANA-registered; the type feed readers send and expect (Thunderbird, NetNewsWire, Miniflux).
OPML = "text/x-opml"


def router(ctx: WebContext) -> APIRouter:
    routes = APIRouter(tags=["sources"])
    # The sources are public (the status page lists them): no partner token needed.
    body = export_opml(ctx.config, title=f"{ctx.options.title} sources") if ctx.config else None
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"' if body else ""

    @routes.get(
        "/sources.opml",
        response_class=Response,
        summary="The sources as OPML 2.0",
        responses={
            200: {"content": {OPML: {}}},
            304: {"description": "unchanged"},
            404: {"description": "this server was started without feeds.yaml"},
        },
    )
    def sources_opml(request: Request) -> Response:
        if body is None:
            raise HTTPException(404, "this server was started without a feeds.yaml")
        headers = {
            "ETag": etag,
            "Cache-Control": "no-cache",
            "Content-Disposition": 'inline; filename="sources.opml"',
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=f"{OPML}; charset=utf-8", headers=headers)

    return routes
