"""Server-rendered pages for people: search, article, story, entity and sources status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi import Query as Param
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import Connection

from clusternews.adapters.store import search as store_search
from clusternews.adapters.store import status, story_views
from clusternews.item_json import item_json
from clusternews.knowledge.display import display_name, org_number
from clusternews.models import StoredItem
from clusternews.web.context import WebContext
from clusternews.web.i18n import NAMES as UI_NAMES
from clusternews.web.i18n import STRINGS, choose
from clusternews.web.params import Filters, filters_param, to_query
from clusternews.web.suggest import TYPES

COUNT_CAP = 1000  # counting every match of a broad filter costs more than the page itself
UI_LANGS = ["no", "sv", "da", "en"]
UI_COOKIE = "ui"  # the reader's page language, set by the switcher (/ui/<lang>)


def router(ctx: WebContext, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    opts = ctx.options
    tz = ZoneInfo(opts.timezone)

    def ui_of(request: Request) -> str:
        return choose(request.headers.get("accept-language"), request.cookies.get(UI_COOKIE))

    def here(request: Request) -> str:
        """This page's path and query, for the language switcher to come back to."""
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")

    def render(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        ui = ui_of(request)
        return html(
            ui,
            templates.env.get_template(name)
            .render(
                t=STRINGS[ui],
                ui=ui,
                ui_names=UI_NAMES,
                here=here(request),
                title=opts.title,
                **values,
            )
            .encode(),
            status_code,
        )

    def html(ui: str, body: bytes, status_code: int = 200) -> HTMLResponse:
        return HTMLResponse(
            body,
            status_code=status_code,
            headers={"Content-Language": ui, "Vary": "Accept-Language, Cookie"},
        )

    @pages.get("/ui/{lang}")
    def switch(lang: str, next: Annotated[str, Param(max_length=2000)] = "/") -> Response:
        """The language switcher: remembers the choice in a cookie and goes back. Only a path
        of this site is followed ("/…", never "//host"), so it is no open redirect."""
        if lang not in STRINGS:
            return render_missing()
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(UI_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    def render_missing() -> Response:
        return Response("no such language", status_code=404, media_type="text/plain")

    def items_for(found: list[StoredItem], ui: str) -> list[dict[str, Any]]:
        """Items as pages show them: entity names in the page language `ui`."""
        out = []
        for item in found:
            data = item_json(item, kb=ctx.kb, tz=opts.timezone, lang=ui)
            data["date"] = item.date.astimezone(tz)
            data["entities"] = [e for e in data["entities"] if e["id"]]
            out.append(data)
        return out

    def results(conn: Connection, ids: list[str], ui: str, version: str) -> list[Markup]:
        """The list entries of `ids` as HTML (`_result.html`), kept rendered per page language
        and data version: only items no page in `ui` has shown since the last change are
        loaded and rendered."""

        def render_missing(missing: list[str]) -> dict[str, bytes]:
            entry = templates.env.get_template("_result.html")
            return {
                data["id"]: entry.render(item=data, t=STRINGS[ui]).encode()
                for data in items_for(store_search.by_ids(conn, missing), ui)
            }

        rendered = ctx.fragments.get_many(f"page:{ui}", ids, version, render_missing)
        return [Markup(body.decode()) for body in rendered]

    picks_memo: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def pick_lists() -> dict[str, list[dict[str, Any]]]:
        """The pickers' default lists: the most named entities, counted once per data version
        (a count over every tag, 2.5 s at 100,000 items, is not for every page view). The
        version is read before a connection is taken: its reader may need one itself."""
        current = ctx.versions.current()
        lists = picks_memo.get(current)
        if lists is None:
            with ctx.store.read() as conn:
                lists = {
                    t: store_search.entity_counts(conn, type_=t, limit=40)
                    for t in ("ORG", "REGION")
                }
            picks_memo.clear()  # threads may race here; each returns its own lists
            picks_memo[current] = lists
        return lists

    @pages.get("/", response_class=HTMLResponse)
    def home(
        request: Request,
        f: Annotated[Filters, Depends(filters_param)],
        page: Annotated[int, Param(ge=1, le=1000)] = 1,
    ) -> HTMLResponse:
        size = opts.page_size
        try:
            query = to_query(ctx.kb, f, tz=opts.timezone, limit=size, offset=(page - 1) * size)
        except ValueError as exc:
            picks = pick_lists()
            return render(
                request,
                "search.html",
                400,
                f=f,
                results=[],
                total=0,
                error=str(exc),
                page=page,
                pairs=f.pairs(),
                picks=picks,
                langs=UI_LANGS,
                has_next=False,
                capped=False,
            )
        ui = ui_of(request)
        current = ctx.versions.current()

        def make() -> bytes:
            with ctx.store.read() as conn:
                found = results(conn, store_search.search_ids(conn, query), ui, current)
                total = store_search.count(conn, query, cap=COUNT_CAP)
            picks = pick_lists()
            return (
                templates.env.get_template("search.html")
                .render(
                    t=STRINGS[ui],
                    ui=ui,
                    ui_names=UI_NAMES,
                    here=here(request),
                    title=opts.title,
                    f=f,
                    results=found,
                    total=total,
                    error=None,
                    page=page,
                    pairs=f.pairs(),
                    picks=picks,
                    langs=UI_LANGS,
                    has_next=page * size < total,
                    capped=total >= COUNT_CAP,
                )
                .encode()
            )

        key = ("page", request.url.path, request.url.query, ui, current)
        return html(ui, ctx.cache.get_or_make(key, make))

    @pages.get("/items/{item_id}", response_class=HTMLResponse)
    def article(request: Request, item_id: str) -> HTMLResponse:
        with ctx.store.read() as conn:
            row = store_search.get(conn, item_id)
        if row is None:
            return render(request, "error.html", 404, message=None)
        item = items_for([row], ui_of(request))[0]
        return render(
            request,
            "item.html",
            item=item,
            text=row.text,
            paragraphs=[p for p in row.text.split("\n") if p.strip()],
        )

    @pages.get("/stories/{story_id}", response_class=HTMLResponse)
    def story(request: Request, story_id: str) -> HTMLResponse:
        with ctx.store.read() as conn:
            rows = [
                row
                for i in story_views.item_ids(conn, story_id)
                if (row := store_search.get(conn, i)) is not None
            ]
        if not rows:
            return render(request, "error.html", 404, message=None)
        copies = items_for(rows, ui_of(request))
        first = min(r.first_seen for r in rows).astimezone(tz)
        return render(request, "story.html", items=copies, first_seen=first)

    @pages.get("/entities/{entity_id:path}", response_class=HTMLResponse)
    def entity(
        request: Request,
        entity_id: str,
        page: Annotated[int, Param(ge=1, le=1000)] = 1,
        collapse: Annotated[str | None, Param(pattern="^story$")] = None,
    ) -> HTMLResponse:
        size = opts.page_size
        ui = ui_of(request)
        query = store_search.Query(
            entity_ids=[entity_id], limit=size, offset=(page - 1) * size, collapse=collapse
        )
        current = ctx.versions.current()  # before a connection is taken: it may take one
        with ctx.store.read() as conn:
            info = store_search.entity_name(conn, entity_id)
            if info is None:
                return render(request, "error.html", 404, message=None)
            found = results(conn, store_search.search_ids(conn, query), ui, current)
            total = store_search.count(conn, query, cap=COUNT_CAP)
            months = store_search.entity_months(conn, entity_id)
            related = store_search.related_entities(conn, entity_id)
        info["name"] = display_name(entity_id, ui, ctx.kb, fallback=info["name"])
        info["org_number"] = org_number(entity_id, ctx.kb)
        for other in related:
            other["name"] = display_name(other["entity_id"], ui, ctx.kb, fallback=other["name"])
        peak = max((n for _m, n in months), default=1)
        return render(
            request,
            "entity.html",
            entity_id=entity_id,
            info=info,
            results=found,
            total=total,
            months=months,
            peak=peak,
            related=related,
            page=page,
            has_next=page * size < total,
        )

    @pages.get("/sources", response_class=HTMLResponse)
    def sources_page(request: Request) -> HTMLResponse:
        now = datetime.now(UTC)
        with ctx.store.read() as conn:
            rows = status.source_rows(conn, now=now)
        for row in rows:
            for key in ("last_fetch_at", "next_due_at", "last_success_at"):
                if row.get(key):
                    row[key] = row[key].astimezone(tz)
        return render(request, "sources.html", sources=rows)

    @pages.get("/suggest")
    def suggest(
        q: Annotated[str, Param(max_length=100)] = "",
        type: Annotated[str | None, Param(max_length=12)] = None,
    ) -> JSONResponse:
        """Autocomplete for the pickers (public, like the pages that use it)."""
        wanted = type if type in TYPES else None
        with ctx.store.read() as conn:
            rows = ctx.suggester.suggest(conn, q, type_=wanted, limit=10)
        return JSONResponse(
            [
                {"id": r["entity_id"], "type": r["type"], "name": r["name"], "items": r["items"]}
                for r in rows
            ]
        )

    return pages
