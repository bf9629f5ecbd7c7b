"""Compares trafilatura settings on our own Nordic golden pages (token precision/recall/F1).

Golden pages: the 18 demo articles (truth: their lead and paragraphs from articles.yaml) and the
hand-written pages in tests/golden/site and tests/golden/lying (truth: their <p> texts).
Usage: python benchmarks/extraction.py
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from pathlib import Path

import lxml.html

from clusternews.adapters.http.decoding import decode_body
from clusternews.demo.site import SITE_IDS, build_site, load_articles
from clusternews.pipeline.extract import EXTRACT_OPTIONS, extract_article

REPO = Path(__file__).resolve().parent.parent
VARIANTS = {
    "library defaults (comments on)": {},
    "default, comments off": {"include_comments": False},
    "favor_precision, comments off (ours)": EXTRACT_OPTIONS,
    "favor_recall, comments off": {"include_comments": False, "favor_recall": True},
    "fast, comments off": {"include_comments": False, "fast": True},
}
_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text or ""))


def golden_pages() -> list[tuple[str, str, str]]:
    """(url, html, truth text)."""
    pages = []
    articles = load_articles()
    for site in SITE_IDS:
        mine = [a for a in articles if a["site"] == site]
        built = build_site(site, "http://demo.local", articles)
        for article in mine:
            path = next(p for p in built if article["slug"] in p and p.endswith("/")
                        and "html" in built[p].content_type)
            page = built[path]
            html, _ = decode_body(page.body, content_type_header=page.content_type)
            truth = " ".join([article["lead"], *article["paragraphs"]])
            pages.append((f"http://demo.local{path}", html, truth))
    for folder in ("site", "lying"):
        for file in sorted((REPO / "tests" / "golden" / folder).glob("*.html")):
            html, _ = decode_body(file.read_bytes(), content_type_header="text/html")
            doc = lxml.html.document_fromstring(html)
            truth = " ".join(p.text_content() for p in doc.xpath("//article//p[not(@class)]"))
            if truth:
                pages.append((f"http://golden.local/{folder}/{file.name}", html, truth))
    return pages


def score(extracted: str, truth: str) -> tuple[float, float, float]:
    got, want = tokens(extracted), tokens(truth)
    overlap = sum((got & want).values())
    p = overlap / max(1, sum(got.values()))
    r = overlap / max(1, sum(want.values()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    pages = golden_pages()
    print(f"{len(pages)} golden pages")
    print(f"{'variant':40} {'P':>6} {'R':>6} {'F1':>6} {'empty':>6} {'pages/s':>8}")
    for name, options in VARIANTS.items():
        scores, empty = [], 0
        started = time.perf_counter()
        for url, html, truth in pages:
            text = extract_article(html, url=url, options=options).text or ""
            empty += not text
            scores.append(score(text, truth))
        elapsed = time.perf_counter() - started
        p, r, f = (statistics.mean(s[i] for s in scores) for i in range(3))
        print(f"{name:40} {p:6.3f} {r:6.3f} {f:6.3f} {empty:6d} {len(pages) / elapsed:8.1f}")


if __name__ == "__main__":
    main()
