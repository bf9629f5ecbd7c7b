"""Discovery: a fetched source document → article entries (feeds, listing pages, sitemaps)."""

from clusternews.pipeline.discover.feeds import discover_feed, looks_like_html
from clusternews.pipeline.discover.pages import discover_page
from clusternews.pipeline.discover.sitemaps import discover_sitemap

__all__ = ["discover_feed", "discover_page", "discover_sitemap", "looks_like_html"]
