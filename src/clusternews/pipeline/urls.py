"""Canonical URLs: relative links resolved, tracking parameters and fragments dropped."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that only say where a click came from; two URLs differing in them are one article.
TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmi|"
    r"mkt_tok|igshid|si|ref_src|trk|trkCampaign|_ga|_gl|oly_anon_id|oly_enc_id|vero_id|"
    r"wt_mc|cmpid|spm)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The canonical form of `url` (resolved against `base`), or None if it is not http(s)."""
    url = (url or "").strip()
    if not url:
        return None
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if port and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)
    ]
    # Sorted so that ?a=1&b=2 and ?b=2&a=1 are one article; order carries no meaning on news sites.
    return urlunsplit((scheme, host, parts.path or "/", urlencode(sorted(query)), ""))


def same_site(url: str, base: str) -> bool:
    """True when both URLs are on one host, ignoring a leading 'www.'."""

    def host(u: str) -> str:
        h = (urlsplit(u).hostname or "").lower()
        return h[4:] if h.startswith("www.") else h

    a = urlsplit(url)
    b = urlsplit(base)
    return host(url) == host(base) and (a.port or 0) == (b.port or 0)
