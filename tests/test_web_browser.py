"""The pages in a real headless Chromium: search, autocomplete, entity links, articles, XSS."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from clusternews.adapters.store import Store
from clusternews.knowledge.base import KnowledgeBase
from clusternews.web.app import create_app

from .web_sample import XSS_TITLE, fill
from .web_server import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM),
    reason="Debian's chromium is not installed (`make browser` installs it)",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'b.db'}")
    kb = KnowledgeBase.load()
    fill(store, kb)
    with serving(create_app(store, kb=kb)) as url:
        yield url
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    dialogs: list[str] = []
    errors: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert not dialogs, f"a dialog fired: {dialogs}"


def result_titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.strip() for t in page.locator(".result .title").all_inner_texts()]


def test_search_by_organization_alias(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    page.fill("input[name=org]", "LTU")
    page.click("button[type=submit]")
    page.wait_for_url("**/?*org=LTU*")
    assert result_titles(page) == ["Skellefteå satsar på återvinning av batterimaterial"]


def test_search_by_region_and_language(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    page.fill("input[name=region]", "Nordland")
    page.select_option("select[name=lang]", "no")
    page.click("button[type=submit]")
    page.wait_for_selector(".count")
    titles = result_titles(page)
    assert "Ny kartlegging av kritiske mineraler i Rana" in titles
    assert "Fullt hus på mineralkonferansen i Narvik" in titles
    assert all("Skellefteå" not in t for t in titles)


def test_autocomplete_follows_typing(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    page.locator("input[name=org]").press_sequentially("Luleå tek", delay=20)
    page.wait_for_selector("#org-list[data-loaded-for='Luleå tek']", state="attached")
    options = page.locator("#org-list option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["Luleå tekniska universitet"]
    page.fill("input[name=region]", "")
    page.locator("input[name=region]").press_sequentially("Norrb", delay=20)
    page.wait_for_selector("#region-list[data-loaded-for='Norrb']", state="attached")
    regions = page.locator("#region-list option").evaluate_all("os => os.map(o => o.value)")
    assert "Norrbottens län" in regions


def test_entity_link_and_article_page(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/?q=mineraler")
    first = page.locator(".result").first
    first.locator("a.entity", has_text="SINTEF").click()
    page.wait_for_url("**/entities/org*sintef*")
    assert page.locator("h1").inner_text().startswith("SINTEF")
    assert len(result_titles(page)) == 3
    assert page.locator("table.timeline tr").count() >= 1
    assert page.locator(".related a.entity").count() >= 1
    page.locator(".result .title", has_text="Raufoss").click()
    page.wait_for_url("**/items/*")
    assert "robot" in page.locator("h1").inner_text()
    assert page.locator("aside a.entity", has_text="SINTEF").count() == 1


def test_hostile_item_renders_inert(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/?q=farlig")
    assert result_titles(page) == [XSS_TITLE.strip()]
    page.locator(".result .title").first.click()
    page.wait_for_url("**/items/*")
    page.wait_for_timeout(300)  # give any injected handler a chance to fire
    assert page.locator("h1").inner_text() == XSS_TITLE.strip()
    assert page.locator("article script, article img, article svg, article iframe").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror],[onload]').length") == 0
    assert not page.dialogs  # type: ignore[attr-defined]


def test_pages_work_in_norwegian(browser, site: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="nb-NO")
    pg = context.new_page()
    pg.goto(site + "/sources")
    assert pg.locator("h1").inner_text() == "Kilder"
    pg.screenshot(path=str(tmp_path / "sources.png"))
    context.close()


def test_pages_in_swedish_for_a_swedish_browser(browser, site: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A browser asking for Swedish gets every page in Swedish (the lang attribute, the words,
    entity names in their Swedish form), as screenshots show; the switcher turns it English."""
    context = browser.new_context(locale="sv-SE")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    shots = []
    pg.goto(site + "/?q=Vinnova")
    assert pg.locator("html").get_attribute("lang") == "sv"
    body = pg.locator("body").inner_text()
    assert "Nyheter från nordiska industrikluster" in body and "Organisation" in body
    assert "1 artikel\n" in body  # one result, in the singular
    assert "Europeiska unionen" in body and "Den europeiske union" not in body
    shots.append(tmp_path / "search-sv.png")
    pg.screenshot(path=str(shots[-1]), full_page=True)
    pg.goto(site + "/sources")
    assert pg.locator("html").get_attribute("lang") == "sv"
    assert pg.locator("h1").inner_text() == "Källor"
    shots.append(tmp_path / "sources-sv.png")
    pg.screenshot(path=str(shots[-1]), full_page=True)
    pg.goto(site + "/?q=Vinnova")
    pg.locator(".result .title").first.click()
    pg.wait_for_load_state()
    assert pg.locator("html").get_attribute("lang") == "sv"
    assert "Läs originalet" in pg.locator("body").inner_text()
    shots.append(tmp_path / "item-sv.png")
    pg.screenshot(path=str(shots[-1]), full_page=True)
    for shot in shots:  # real renderings: a PNG of some size, not an empty page
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, shot
    pg.locator("nav.languages a[hreflang=en]").click()
    pg.wait_for_load_state()
    assert pg.locator("html").get_attribute("lang") == "en"
    assert "Read the original" in pg.locator("body").inner_text()
    context.close()


def test_api_docs_render_offline(site: str, page) -> None:  # type: ignore[no-untyped-def]
    """Swagger UI and ReDoc render with every request to this server (none to a CDN) and no
    script error under the docs' Content-Security-Policy."""
    outside: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r) -> None:  # type: ignore[no-untyped-def]
        if r.request.url.startswith(site):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(site + "/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert "/api/items" in page.locator(".swagger-ui").inner_text()
    page.goto(site + "/redoc")
    page.wait_for_selector(".api-content")  # ReDoc's footer logo stays out: CSP blocks it
    assert "organization, any alias" in page.inner_text(".api-content")
    assert not outside and not errors, (outside, errors)
