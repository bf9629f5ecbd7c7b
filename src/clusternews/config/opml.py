"""Sources as OPML 2.0: a validated Config → document, and an untrusted document → clusters."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from clusternews.config.loader import ConfigError
from clusternews.config.schema import Config
from clusternews.durations import format_duration

# OPML 2.0 allows attributes the spec does not define only "if they are defined in a namespace"
# (opml.org/spec2.opml): our cluster fields and page/sitemap sources live in this one.
NS = "urn:clusternews:opml:1"
KINDS = ("feed", "page", "sitemap")
# A feed reader's export is a few hundred kB; anything far bigger is not an OPML file.
MAX_BYTES = 5 * 1024 * 1024
# Hosts whose country code tells the cluster's country when the document does not.
COUNTRY_TLDS = {"no": "NO", "se": "SE", "dk": "DK", "fi": "FI", "is": "IS"}


def _cn(name: str) -> str:
    return f"{{{NS}}}{name}"


def export_opml(config: Config, *, title: str = "clusternews sources") -> bytes:
    """Every cluster as a group outline; feeds as type="rss", pages and sitemaps as type="link"
    with cn:kind, so feed readers take the feeds and a round trip keeps everything."""
    root = etree.Element("opml", version="2.0", nsmap={"cn": NS})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    for cluster in config.clusters:
        group = etree.SubElement(body, "outline", text=cluster.name, title=cluster.name)
        if cluster.homepage:
            group.set("htmlUrl", cluster.homepage)
        group.set(_cn("id"), cluster.id)
        group.set(_cn("country"), cluster.country)
        for key in ("region", "programme"):
            if value := getattr(cluster, key):
                group.set(_cn(key), value)
        for source in cluster.sources:
            text = cluster.name if source.kind == "feed" else f"{cluster.name} ({source.kind})"
            item = etree.SubElement(group, "outline", text=text, title=text)
            if source.kind == "feed":
                item.set("type", "rss")
                item.set("xmlUrl", source.url)
                if cluster.homepage:
                    item.set("htmlUrl", cluster.homepage)
            else:
                # No xmlUrl: readers that take any outline with one as a feed must skip these.
                item.set("type", "link")
                item.set("url", source.url)
                item.set(_cn("kind"), source.kind)
            if source.links:
                item.set(_cn("links"), source.links)
            if source.interval:
                item.set(_cn("interval"), format_duration(source.interval))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


@dataclass
class OpmlSource:
    line: int
    kind: str
    url: str
    links: str | None = None
    interval: str | None = None
    html_url: str | None = None


@dataclass
class OpmlCluster:
    line: int
    name: str
    id: str | None = None
    country: str | None = None
    region: str | None = None
    programme: str | None = None
    homepage: str | None = None
    sources: list[OpmlSource] = field(default_factory=list)


def parse_opml(data: bytes, *, name: str, default_country: str | None = None) -> list[OpmlCluster]:
    """Clusters and sources of an untrusted OPML document; any problem is a ConfigError naming
    `name:line:`. Group outlines become clusters; feeds outside a group, one cluster each."""
    root = _parse(data, name)
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ConfigError([f"{name}:{root.sourceline or 1}: expected <opml> with a <body>"])
    clusters: dict[etree._Element, OpmlCluster] = {}
    problems: list[str] = []
    for el in body.iter("outline"):
        source = _source(el, name, problems)
        if source is None:
            continue
        group = next((a for a in el.iterancestors("outline") if _source(a, name, []) is None), None)
        owner = group if group is not None else el
        if owner not in clusters:
            clusters[owner] = _cluster(owner, name, problems)
        clusters[owner].sources.append(source)
    for cluster in clusters.values():
        # A feed's htmlUrl is its website: the cluster's homepage when the group gives none.
        cluster.homepage = cluster.homepage or next(
            (s.html_url for s in cluster.sources if s.html_url), None
        )
        cluster.country = cluster.country or _country(cluster) or (default_country or "").upper()
        if not cluster.country:
            problems.append(
                f"{name}:{cluster.line}: outline {cluster.name!r}: no country "
                '(add cn:country="NO" to the group, or pass --country)'
            )
    if problems:
        raise ConfigError([*problems, f"{name}: nothing imported"])
    return list(clusters.values())


def _parse(data: bytes, name: str) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise ConfigError([f"{name}: larger than {MAX_BYTES // 2**20} MiB, not an OPML file"])
    # OPML has no DTD; a DOCTYPE can only be there to declare entities (XXE, billion laughs).
    found = [i for i in (data.find(b"<!DOCTYPE"), data.find(b"<!ENTITY")) if i >= 0]
    if found:
        line = data.count(b"\n", 0, min(found)) + 1
        raise ConfigError(
            [f"{name}:{line}: refused: a DOCTYPE or entity declaration (OPML needs none)"]
        )
    # Untrusted input: no entity expansion, no DTD loading, no network (XXE, billion laughs).
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError([f"{name}:{exc.lineno or 1}: not well-formed XML: {exc.msg}"]) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # one in UTF-16, say
        raise ConfigError([f"{name}:1: refused: a DOCTYPE or entity declaration (OPML needs none)"])
    return root


def _attr(el: etree._Element, *names: str) -> str | None:
    for key in names:
        value: str | None = el.get(key)
        if value and value.strip():
            return value.strip()
    return None


def _url(el: etree._Element, key: str, name: str, problems: list[str]) -> str | None:
    value = _attr(el, key)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        problems.append(
            f"{name}:{el.sourceline}: outline {_attr(el, 'text', 'title')!r}: "
            f"{key} {value!r} is not an http(s) URL"
        )
        return None
    return value


def _source(el: etree._Element, name: str, problems: list[str]) -> OpmlSource | None:
    kind = _attr(el, _cn("kind"))
    if kind is None and el.get("xmlUrl") is None:
        return None  # a group, or an outline that is neither a feed nor one of ours
    kind = kind or "feed"
    if kind not in KINDS:
        problems.append(f"{name}:{el.sourceline}: cn:kind {kind!r}: expected {', '.join(KINDS)}")
        return None
    html_url = _url(el, "htmlUrl", name, problems)
    key = "xmlUrl" if kind == "feed" else "url"
    url = _url(el, key, name, problems)
    if url is None:
        if el.get(key) is None:
            problems.append(
                f"{name}:{el.sourceline}: outline {_attr(el, 'text', 'title')!r}: no {key}"
            )
        return OpmlSource(line=el.sourceline or 0, kind=kind, url="")
    return OpmlSource(
        line=el.sourceline or 0,
        kind=kind,
        url=url,
        links=_attr(el, _cn("links")),
        interval=_attr(el, _cn("interval")),
        html_url=html_url,
    )


def _cluster(el: etree._Element, name: str, problems: list[str]) -> OpmlCluster:
    # A feed outside any group is its own cluster; its htmlUrl was checked with the feed.
    own = el.get("xmlUrl") is not None or el.get(_cn("kind")) is not None
    homepage = None if own else _url(el, "htmlUrl", name, problems)
    title = _attr(el, "text", "title") or urlsplit(_attr(el, "xmlUrl", "url") or "").hostname
    return OpmlCluster(
        line=el.sourceline or 0,
        name=title or "imported",
        id=_attr(el, _cn("id")),
        country=(_attr(el, _cn("country")) or "").upper() or None,
        region=_attr(el, _cn("region")),
        programme=_attr(el, _cn("programme")),
        homepage=homepage,
    )


def _country(cluster: OpmlCluster) -> str | None:
    for url in (cluster.homepage, *(s.url for s in cluster.sources)):
        host = urlsplit(url or "").hostname or ""
        if code := COUNTRY_TLDS.get(host.rsplit(".", 1)[-1]):
            return code
    return None
