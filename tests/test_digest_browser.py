"""The digest HTML in headless Chromium: light and dark screenshots (test-artifacts/), no
requests, hostile text inert, fits a phone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from clusternews.mail.render import Letter, render_html
from clusternews.models import Entity, StoredItem
from clusternews.pipeline.digest import ClusterInfo, Interests, compose
from clusternews.pipeline.isoweek import IsoWeek

CHROMIUM = "/usr/bin/chromium"  # Debian's; .ci/run installs it
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
W47 = IsoWeek(2026, 47)
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def rows() -> list[StoredItem]:
    def row(n: int, cluster: str, title: str, places: list[str]) -> StoredItem:
        when = datetime(2026, 11, 16 + n % 6, 9, tzinfo=UTC)
        return StoredItem(
            id=f"i{n}",
            url=f"https://{cluster}.example.no/{n}",
            title=title,
            summary="Bedrifter i Fauske og Sulitjelma går sammen med skole og "
            "universitet. Målet er at ungdom skal kunne ta hele "
            "utdanningen i regionen. Mer kommer.",
            text="",
            cluster=cluster,
            language="no",
            language_variant="nb",
            language_confidence=1.0,
            published=when,
            first_seen=when,
            updated_at=when,
            sources=(),
            entities=(
                Entity(type="ORG", id="org:sintef", name="SINTEF", count=1),
                *(Entity(type="REGION", id=p, name=p.title(), count=1) for p in places),
            ),
        )

    return [
        row(1, "mineral", "Nytt fagbrevløp skal gi flere bergfagarbeidere i Salten", ["fauske"]),
        row(2, "mineral", f"Fullt hus i Narvik {XSS}", ["narvik"]),
        row(3, "nce", "Meir resirkulert aluminium i bildelar frå Raufoss", ["raufoss"]),
        row(4, "park", "Ny kai i Mo Industripark", ["mo"]),
    ]


# The lowest contrast between any text and the background it is drawn on (WCAG 2 formula).
LOWEST_CONTRAST = """() => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e)
      .backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  let lowest = 21;
  for (const e of document.body.querySelectorAll("*")) {
    const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text || e.closest("span[style*='display:none']")) continue;
    const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(bg(e))];
    lowest = Math.min(lowest, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  return lowest;
}"""


@pytest.fixture(scope="module")
def html() -> str:
    clusters = {
        "mineral": ClusterInfo("Mineralklynge Norge"),
        "nce": ClusterInfo("NCE Manufacturing"),
        "park": ClusterInfo("Mo Industripark", False, "Nordland"),
    }
    content = compose(
        rows(),
        Interests(),
        start=W47.start("Europe/Oslo"),
        end=W47.end("Europe/Oslo"),
        clusters=clusters,
    )
    return render_html(
        content, W47, Letter("weekly-nord", "nb", "klyngenytt@example.no", "anna@example.no")
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.parametrize(
    ("scheme", "background"), [("light", "rgb(238, 241, 244)"), ("dark", "rgb(17, 20, 24)")]
)
def test_digest_renders_in_chromium(
    browser: Browser, html: str, scheme: str, background: str
) -> None:
    context = browser.new_context(viewport={"width": 680, "height": 900}, color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_content(html, wait_until="load")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"digest-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    assert page.evaluate(LOWEST_CONTRAST) >= 4.5  # WCAG AA for every piece of text
    assert page.locator("a.cn-link", has_text="Fullt hus i Narvik").count() == 1
    assert XSS in page.inner_text("body")  # shown as text, not run
    assert requests == [] and dialogs == []
    # a phone: the 600 px card shrinks, nothing scrolls sideways
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
