"""Canonical URLs."""

import pytest

from clusternews.pipeline.urls import canonical_url, same_site


@pytest.mark.parametrize(
    "raw, base, expected",
    [
        (
            "https://Example.NO/nyheter/a?utm_source=x&utm_medium=y#top",
            None,
            "https://example.no/nyheter/a",
        ),
        (
            "/nyheter/b/?fbclid=abc&id=3",
            "https://example.no/x/",
            "https://example.no/nyheter/b/?id=3",
        ),
        ("c", "https://example.no/nyheter/", "https://example.no/nyheter/c"),
        ("http://example.no:80/", None, "http://example.no/"),
        ("https://example.no:8443/a", None, "https://example.no:8443/a"),
        ("https://example.no/?b=2&a=1", None, "https://example.no/?a=1&b=2"),
        ("https://example.no", None, "https://example.no/"),
        ("mailto:post@example.no", None, None),
        ("javascript:alert(1)", None, None),
        ("", "https://example.no/", None),
        ("http://[::1", None, None),
    ],
)
def test_canonical_url(raw: str, base: str | None, expected: str | None) -> None:
    assert canonical_url(raw, base) == expected


def test_same_site_ignores_www_but_not_port() -> None:
    assert same_site("https://www.example.no/a", "https://example.no/")
    assert not same_site("https://example.no:8080/a", "https://example.no/")
    assert not same_site("https://other.no/a", "https://example.no/")
