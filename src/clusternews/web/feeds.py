"""GET /feed.json (JSON Feed 1.1) and /feed.xml (Atom): newest first, filtered, paged, ETag."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi import Query as Param
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from clusternews.adapters.store.search import by_ids, search_keys
from clusternews.web import atom, jsonfeed
from clusternews.web.api import ERRORS
from clusternews.web.context import WebContext
from clusternews.web.params import (
    MAX_LIMIT,
    Filters,
    decode_cursor,
    encode_cursor,
    filters_param,
    to_query,
)
from clusternews.web.urls import base, page_url

JSON_FEED = "application/feed+json"
ATOM = "application/atom+xml"


def _not_modified(request: Request, etag: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    return etag in tags or "*" in tags


def _etag(request: Request, data_version: str) -> str:
    """The ETag comes from the data, not the body: the store's version and the request's
    path, query and base, so a conditional GET is answered before anything is rendered."""
    key = "\0".join((request.url.path, request.url.query, str(request.base_url), data_version))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def router(ctx: WebContext) -> APIRouter:
    feeds = APIRouter(tags=["feeds"], dependencies=[Depends(ctx.gate)], responses=ERRORS)
    opts = ctx.options

    versions = ctx.versions

    async def respond(request: Request, make: Callable[[str], bytes], media_type: str) -> Response:
        """304 when the client has this data's version; else the body, from the cache.

        The routes are async so that a conditional GET, the commonest request of a feed
        reader, is answered on the event loop without a trip through the thread pool; the
        version read (at most once a second) and rendering go to the pool."""
        current = versions.fresh()
        if current is None:
            current = await run_in_threadpool(versions.current)
        etag = _etag(request, current)
        headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Authorization"}
        if _not_modified(request, etag):
            return Response(status_code=304, headers=headers)
        key = (request.url.path, request.url.query, str(request.base_url), current)
        body = await run_in_threadpool(ctx.cache.get_or_make, key, lambda: make(current))
        return Response(body, media_type=media_type, headers=headers)

    def page(
        conn: Connection,
        request: Request,
        f: Filters,
        limit: int | None,
        after: str | None,
        path: str,
    ) -> tuple[list[str], str | None, str]:
        """The page's item ids, its next link (None on the last page) and its own link."""
        size = limit or opts.feed_limit
        try:
            query = to_query(ctx.kb, f, tz=opts.timezone, limit=size + 1, order="newest")
            if after:
                query = replace(query, after=decode_cursor(after))
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        keys = search_keys(conn, query)
        pairs = [*f.pairs(), *([("limit", str(limit))] if limit else [])]
        next_url = None
        if len(keys) > size:
            keys = keys[:size]
            last_id, last_day = keys[-1]
            if last_day is not None:  # always, newest first
                cursor = encode_cursor((last_day, last_id))
                next_url = page_url(request, opts.base_url, path, [*pairs, ("after", cursor)])
        self_pairs = [*pairs, *([("after", after)] if after else [])]
        ids = [item_id for item_id, _day in keys]
        return ids, next_url, page_url(request, opts.base_url, path, self_pairs)

    @feeds.get(
        "/feed.json",
        response_class=Response,
        summary="JSON Feed 1.1, newest first",
        responses={200: {"content": {JSON_FEED: {}}}, 304: {"description": "unchanged"}},
    )
    async def feed_json(
        request: Request,
        f: Annotated[Filters, Depends(filters_param)],
        limit: Annotated[int | None, Param(ge=1, le=MAX_LIMIT)] = None,
        after: Annotated[str | None, Param(max_length=200, description="paging cursor")] = None,
    ) -> Response:
        def make(version: str) -> bytes:
            with ctx.store.read() as conn:
                ids, next_url, self_url = page(conn, request, f, limit, after, "/feed.json")

                def render(missing: list[str]) -> dict[str, bytes]:
                    return {
                        item.id: jsonfeed.item_bytes(item, tz=opts.timezone, kb=ctx.kb)
                        for item in by_ids(conn, missing)
                    }

                rendered = ctx.fragments.get_many("feed.json", ids, version, render)
            return jsonfeed.feed(
                rendered,
                title=opts.title,
                feed_url=self_url,
                next_url=next_url,
                home_page_url=base(request, opts.base_url) + "/",
            )

        return await respond(request, make, JSON_FEED)

    @feeds.get(
        "/feed.xml",
        response_class=Response,
        summary="Atom 1.0, newest first",
        responses={200: {"content": {ATOM: {}}}, 304: {"description": "unchanged"}},
    )
    async def feed_xml(
        request: Request,
        f: Annotated[Filters, Depends(filters_param)],
        limit: Annotated[int | None, Param(ge=1, le=MAX_LIMIT)] = None,
        after: Annotated[str | None, Param(max_length=200, description="paging cursor")] = None,
    ) -> Response:
        def make(_version: str) -> bytes:
            with ctx.store.read() as conn:
                ids, next_url, self_url = page(conn, request, f, limit, after, "/feed.xml")
                rows = by_ids(conn, ids)
            return atom.feed(
                rows,
                title=opts.title,
                self_url=self_url,
                next_url=next_url,
                home_page_url=base(request, opts.base_url) + "/",
                tz=opts.timezone,
                kb=ctx.kb,
            )

        return await respond(request, make, ATOM)

    return feeds
