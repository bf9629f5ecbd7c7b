"""Adds OPML clusters and sources to feeds.yaml text, keeping its comments, order and layout."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from clusternews.config.loader import RegionCheck, parse_config
from clusternews.config.opml import OpmlCluster, OpmlSource
from clusternews.config.schema import SLUG

# æ, ø and đ have no decomposition in Unicode; the rest (å, ä, ö, é …) lose their accents.
_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "đ": "d", "ß": "ss", "þ": "th"})


@dataclass
class ImportReport:
    new_clusters: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # "cluster-id: url"
    skipped: list[str] = field(default_factory=list)  # URLs feeds.yaml already has


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    slug = re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")
    return slug[:60].rstrip("-") or "cluster"


def url_key(url: str) -> str:
    """Two spellings of one source: scheme and host case, a trailing slash."""
    parts = urlsplit(url.strip())
    return (
        f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{parts.path.rstrip('/')}"
        f"{'?' + parts.query if parts.query else ''}"
    )


def merge_opml(
    text: str,
    clusters: list[OpmlCluster],
    *,
    name: str,
    origin: str = "OPML",
    region_known: RegionCheck | None = None,
) -> tuple[str, ImportReport]:
    """The new feeds.yaml text, validated by the loader as every config is (ConfigError with
    `name:line: key:` otherwise). Existing clusters match by id, then by name."""
    config = parse_config(text, name=name, region_known=region_known)
    yaml, data, offset = _round_trip(text)
    report = ImportReport()
    seen = {url_key(s.url) for c in config.clusters for s in c.sources}
    ids = {c.id: i for i, c in enumerate(config.clusters)}
    names = {c.name.casefold(): i for i, c in enumerate(config.clusters)}
    created: dict[str, CommentedMap] = {}
    for cluster in clusters:
        fresh = []
        for source in cluster.sources:
            key = url_key(source.url)
            if key in seen:
                report.skipped.append(source.url)
            else:
                fresh.append(source)
            seen.add(key)
        if not fresh:
            continue
        index = ids.get(cluster.id or "", names.get(cluster.name.casefold()))
        if index is not None:
            target = data["clusters"][index]
            cid = config.clusters[index].id
        elif cluster.name.casefold() in created:
            target = created[cluster.name.casefold()]
            cid = target["id"]
        else:
            cid = _unique(
                cluster.id if cluster.id and SLUG.match(cluster.id) else slugify(cluster.name),
                {*ids, *(m["id"] for m in created.values())},
            )
            target = _new_cluster(cluster, cid)
            created[cluster.name.casefold()] = target
            report.new_clusters.append(cid)
        for source in fresh:
            target["sources"].append(_new_source(source))
            report.added.append(f"{cid}: {source.url}")
    if not report.added:
        return text, report
    clusters_seq = data.get("clusters")
    if not isinstance(clusters_seq, CommentedSeq) or not clusters_seq:
        clusters_seq = CommentedSeq()
        data["clusters"] = clusters_seq
    for cluster_map in created.values():
        clusters_seq.append(cluster_map)
        clusters_seq.yaml_set_comment_before_after_key(
            len(clusters_seq) - 1, before=f"imported from {origin}", indent=offset
        )
    keys = list(data)
    if created and keys.index("clusters") + 1 < len(keys):  # keep a blank line before the next
        data.yaml_set_comment_before_after_key(keys[keys.index("clusters") + 1], before="\n")
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    if text.strip() and _only_comments(text):
        new_text = text.rstrip("\n") + "\n\n" + new_text  # a file of comments only loads as None
    parse_config(new_text, name=name, region_known=region_known)
    return new_text, report


def _round_trip(text: str) -> tuple[YAML, CommentedMap, int]:
    """A round-trip YAML set to the file's own list indentation, its data, and that offset."""
    _, indent, offset = load_yaml_guess_indent(text) if text.strip() else (None, None, None)
    if offset is None:  # no block list to copy: the layout of our own feeds.yaml
        indent, offset = 4, 2
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long comment or URL
    yaml.indent(mapping=2, sequence=indent, offset=offset)
    data = yaml.load(text) if text.strip() else None
    return yaml, data if isinstance(data, CommentedMap) else CommentedMap(), offset


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _unique(slug: str, taken: set[str]) -> str:
    out, n = slug, 2
    while out in taken:
        out, n = f"{slug}-{n}", n + 1
    return out


def _new_cluster(cluster: OpmlCluster, cid: str) -> CommentedMap:
    out = CommentedMap(id=cid, name=cluster.name, country=cluster.country)
    for key in ("region", "programme", "homepage"):
        if value := getattr(cluster, key):
            out[key] = value
    out["sources"] = CommentedSeq()
    return out


def _new_source(source: OpmlSource) -> CommentedMap:
    out = CommentedMap({source.kind: source.url})
    if source.links:
        out["links"] = source.links
    if source.interval:
        out["interval"] = source.interval
    return out
