"""The JSON API for programs: /api/items, /api/items/{id}, /api/entities."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi import Query as Param
from starlette.concurrency import run_in_threadpool

from clusternews.adapters.store.search import by_ids, get, search_ids_counted
from clusternews.item_json import item_json
from clusternews.knowledge.display import display_name, org_number_field
from clusternews.models import StoredItem
from clusternews.web.context import WebContext
from clusternews.web.params import MAX_LIMIT, Filters, filters_param, to_query
from clusternews.web.schemas import EntityCount, Item, ItemDetail, ItemPage, Problem
from clusternews.web.suggest import TYPES
from clusternews.web.urls import page_url

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "a filter names nothing known"},
    401: {"model": Problem, "description": "partner token missing or invalid"},
    429: {"model": Problem, "description": "rate limit; see Retry-After"},
}


def router(ctx: WebContext) -> APIRouter:
    def item_bytes(item: StoredItem) -> bytes:
        """One item as the API's `Item` JSON; unset: org_number and names where an entity
        has none (as in search --json)."""
        data = item_json(item, kb=ctx.kb, tz=ctx.options.timezone)
        return Item.model_validate(data).model_dump_json(exclude_unset=True).encode()

    api = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(ctx.gate)], responses=ERRORS)

    @api.get("/items", response_model=ItemPage, summary="Search stored items")
    async def list_items(
        request: Request,
        f: Annotated[Filters, Depends(filters_param)],
        limit: Annotated[int, Param(ge=1, le=MAX_LIMIT)] = 20,
        offset: Annotated[int, Param(ge=0, le=100_000)] = 0,
    ) -> Response:
        try:
            query = to_query(ctx.kb, f, tz=ctx.options.timezone, limit=limit, offset=offset)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None

        def make(version: str) -> bytes:
            with ctx.store.read() as conn:
                ids, total = search_ids_counted(conn, query)

                def render(missing: list[str]) -> dict[str, bytes]:
                    return {item.id: item_bytes(item) for item in by_ids(conn, missing)}

                rendered = ctx.fragments.get_many("api", ids, version, render)
            more = offset + len(ids) < total
            next_url = (
                page_url(
                    request,
                    ctx.options.base_url,
                    "/api/items",
                    [*f.pairs(), ("limit", str(limit)), ("offset", str(offset + limit))],
                )
                if more
                else None
            )
            # ItemPage's fields in its order, around items rendered as `Item` once each.
            return orjson.dumps(
                {
                    "total": total,
                    "offset": offset,
                    "limit": limit,
                    "items": [orjson.Fragment(b) for b in rendered],
                    "next": next_url,
                }
            )

        # As the feeds do: the version is known on the event loop most of the time, and only
        # the cache lookup (and on a miss the query) goes to the thread pool. As a plain
        # route the whole request went through the pool; cached answers on PostgreSQL at
        # 20 clients (wrk) had p99 0.8-1.0 s that way and 78-277 ms this way.
        current = ctx.versions.fresh()
        if current is None:
            current = await run_in_threadpool(ctx.versions.current)
        key = (request.url.path, request.url.query, str(request.base_url), current)
        body = await run_in_threadpool(ctx.cache.get_or_make, key, lambda: make(current))
        return Response(body, media_type="application/json")

    @api.get(
        "/items/{item_id}",
        response_model=ItemDetail,
        summary="One stored item",
        responses={404: {"model": Problem}},
        response_model_exclude_unset=True,
    )
    def one_item(item_id: str) -> dict[str, Any]:
        with ctx.store.read() as conn:
            row = get(conn, item_id)
        if row is None:
            raise HTTPException(404, "no such item")
        return {**item_json(row, kb=ctx.kb, tz=ctx.options.timezone), "text": row.text}

    @api.get(
        "/entities",
        response_model=list[EntityCount],
        response_model_exclude_unset=True,
        summary="Entities by name or alias prefix, with item counts",
    )
    def entities(
        prefix: Annotated[str | None, Param(max_length=100)] = None,
        type: Annotated[
            str | None,
            Param(pattern="^(ORG|REGION|PROGRAMME|PERSON)$", description=", ".join(TYPES)),
        ] = None,
        limit: Annotated[int, Param(ge=1, le=MAX_LIMIT)] = 20,
    ) -> list[dict[str, Any]]:
        with ctx.store.read() as conn:
            rows = ctx.suggester.suggest(conn, prefix or "", type_=type, limit=limit)
        return [
            {
                "id": r["entity_id"],
                "type": r["type"],
                "kind": r["kind"],
                "items": r["items"],
                "name": display_name(r["entity_id"], None, ctx.kb, fallback=r["name"]),
                **org_number_field(r["type"], r["entity_id"], ctx.kb),
            }
            for r in rows
        ]

    return api
