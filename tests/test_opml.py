"""OPML export and import as a user runs them (real files, real processes) and /sources.opml."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from lxml import etree

from clusternews.adapters.store import Store
from clusternews.config import load_config, parse_config
from clusternews.config.opml import NS, export_opml, parse_opml
from clusternews.config.opml_import import merge_opml, slugify
from clusternews.knowledge.base import KnowledgeBase
from clusternews.web.app import create_app

from .test_cli import cli
from .web_server import serving

FEEDS = """\
# Our sources (a comment that must survive an import)
defaults:
  interval: 30m
  timezone: Europe/Oslo

clusters:
  # --- Norway ---
  - id: mineralklynge-norge
    name: Mineralklynge Norge
    country: NO
    region: Nordland  # home region
    programme: Arena
    homepage: https://mineralklyngen.example.no/
    sources:
      - feed: https://mineralklyngen.example.no/feed/  # seen
      - page: https://mineralklyngen.example.no/nyheter/
        links: '/nyheter/[^/]+/?$'
  - id: svemin
    name: Svemin
    country: SE
    region: Norrbotten
    sources:
      - sitemap: https://svemin.example.se/sitemap.xml
        interval: 6h

digests:
  - id: weekly
    to: [someone@example.no]
"""

OPML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


def opml(body: str, doctype: str = "") -> str:
    return (
        f'{OPML_HEAD}{doctype}<opml version="2.0" xmlns:cn="{NS}"><head><title>t</title>'
        f"</head>\n<body>\n{body}\n</body></opml>\n"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "feeds.yaml").write_text(FEEDS, encoding="utf-8")
    return tmp_path


def test_export_then_import_round_trip(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    exported = cli("sources", "export", "--opml", str(project / "out.opml"), cwd=project)
    assert exported.returncode == 0, exported.stderr
    doc = etree.parse(str(project / "out.opml")).getroot()
    assert doc.get("version") == "2.0"
    groups = doc.findall("body/outline")
    assert [g.get("text") for g in groups] == ["Mineralklynge Norge", "Svemin"]
    feed, page = groups[0]
    assert (feed.get("type"), feed.get("xmlUrl"), feed.get("htmlUrl")) == (
        "rss",
        "https://mineralklyngen.example.no/feed/",
        "https://mineralklyngen.example.no/",
    )
    assert page.get("xmlUrl") is None and page.get(f"{{{NS}}}kind") == "page"
    assert page.get(f"{{{NS}}}links") == "/nyheter/[^/]+/?$"

    other = tmp_path_factory.mktemp("empty")
    (other / "feeds.yaml").write_text(
        "# nearly empty\ndefaults:\n  interval: 30m\nclusters: []\n", encoding="utf-8"
    )
    imported = cli("sources", "import", str(project / "out.opml"), cwd=other)
    assert imported.returncode == 0, imported.stderr
    assert "3 sources added (2 new clusters)" in imported.stdout
    text = (other / "feeds.yaml").read_text(encoding="utf-8")
    assert text.startswith(
        "# nearly empty\ndefaults:\n  interval: 30m\nclusters:\n"
        "  # imported from out.opml\n  - id: mineralklynge-norge\n"
    )
    assert (
        load_config(other / "feeds.yaml").clusters == load_config(project / "feeds.yaml").clusters
    )

    again = cli("sources", "import", str(project / "out.opml"), cwd=other)
    assert (
        again.returncode == 0
        and "0 sources added" in again.stdout
        and "3 already there" in again.stdout
    )
    assert (other / "feeds.yaml").read_text(encoding="utf-8") == text


def test_export_to_stdout(project: Path) -> None:
    out = cli("sources", "export", "--opml", cwd=project)
    assert out.returncode == 0, out.stderr
    assert (
        etree.fromstring(out.stdout.encode()).find("body/outline").get(f"{{{NS}}}id")
        == "mineralklynge-norge"
    )


def test_import_keeps_comments_order_and_adds_to_existing_clusters(project: Path) -> None:
    (project / "in.opml").write_text(
        opml("""
  <outline text="Mineralklynge Norge">
    <outline type="rss" text="MKN" xmlUrl="https://mineralklyngen.example.no/feed" />
    <outline type="rss" text="MKN events" xmlUrl="https://mineralklyngen.example.no/events/feed/" />
  </outline>
  <outline text="Prosessindustriklyngen Øst" cn:region="Innlandet">
    <outline type="rss" text="Øst" xmlUrl="https://prosess.example.no/feed/" htmlUrl="https://prosess.example.no/" />
  </outline>
  <outline type="rss" text="Bergslagens Stål" xmlUrl="https://stal.example.com/rss" />"""),
        encoding="utf-8",
    )
    done = cli("sources", "import", "in.opml", "--country", "se", cwd=project)
    assert done.returncode == 0, done.stderr
    text = (project / "feeds.yaml").read_text(encoding="utf-8")
    # Everything that was there is still there, in order, comments included; additions follow.
    old_lines = FEEDS.splitlines()
    new_lines = text.splitlines()
    it = iter(new_lines)
    assert all(line in it for line in old_lines), text
    assert "      - feed: https://mineralklyngen.example.no/events/feed/\n  - id: svemin" in text
    assert "\n  # imported from in.opml\n  - id: prosessindustriklyngen-ost\n" in text
    assert text.endswith("\n\ndigests:\n  - id: weekly\n    to: [someone@example.no]\n")
    config = parse_config(text)
    by_id = {c.id: c for c in config.clusters}
    assert [s.url for s in by_id["mineralklynge-norge"].sources][
        -1
    ] == "https://mineralklyngen.example.no/events/feed/"
    assert len(by_id["mineralklynge-norge"].sources) == 3  # the feed without its slash is known
    east = by_id["prosessindustriklyngen-ost"]
    assert (east.country, east.region, east.homepage) == (
        "NO",
        "Innlandet",
        "https://prosess.example.no/",
    )
    assert by_id["bergslagens-stal"].country == "SE"  # a .com host: --country decides
    assert [c.id for c in config.clusters][:2] == ["mineralklynge-norge", "svemin"]
    assert [d.id for d in config.digests] == ["weekly"]


@pytest.mark.parametrize(
    ("body", "doctype", "said"),
    [
        (
            '<outline text="x"><outline type="rss" text="evil" xmlUrl="javascript:alert(1)"/></outline>',
            "",
            "in.opml:4: outline 'evil': xmlUrl 'javascript:alert(1)' is not an http(s) URL",
        ),
        (
            '<outline text="x" cn:country="NO"><outline type="link" cn:kind="page" text="p" url="file:///etc/passwd"/></outline>',
            "",
            "url 'file:///etc/passwd' is not an http(s) URL",
        ),
        (
            '<outline text="&xxe;"><outline type="rss" text="a" xmlUrl="https://a.example.no/feed"/></outline>',
            '<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>\n',
            "in.opml:2: refused: a DOCTYPE",
        ),
        (
            '<outline text="x"><outline type="rss" text="a" xmlUrl="https://a.example.no/feed">&lol;</outline></outline>',
            '<!DOCTYPE opml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n',
            "in.opml:2: refused",
        ),
        (
            '<outline text="x"><outline type="rss" text="a" xmlUrl="https://a.example.no/feed"',
            "",
            "in.opml:5: not well-formed XML",
        ),
    ],
)
def test_hostile_opml_is_refused_and_feeds_yaml_untouched(
    project: Path, body: str, doctype: str, said: str
) -> None:
    (project / "in.opml").write_text(opml(body, doctype), encoding="utf-8")
    before = (project / "feeds.yaml").read_bytes()
    done = cli("sources", "import", "in.opml", cwd=project)
    assert done.returncode == 2
    assert said in done.stderr, done.stderr
    assert (project / "feeds.yaml").read_bytes() == before
    assert not list(project.glob(".feeds.yaml.*"))


def test_import_that_breaks_validation_names_file_line_key(project: Path) -> None:
    (project / "in.opml").write_text(
        opml(
            '<outline text="Atlantis Cluster" cn:region="Atlantis" cn:country="NO">'
            '<outline type="rss" text="a" xmlUrl="https://atlantis.example.no/feed"/>'
            "</outline>"
        ),
        encoding="utf-8",
    )
    before = (project / "feeds.yaml").read_bytes()
    done = cli("sources", "import", "in.opml", cwd=project)
    assert done.returncode == 2
    feeds = project / "feeds.yaml"
    assert re.search(
        rf"^{re.escape(str(feeds))}:\d+: clusters\[2\]\.region: unknown region name "
        "'Atlantis'",
        done.stderr,
        re.M,
    ), done.stderr
    assert f"{feeds}: not changed" in done.stderr
    assert feeds.read_bytes() == before


def test_pure_parts() -> None:
    assert (
        slugify("Prosessindustriklyngen Øst / Æøå-Näringsliv")
        == "prosessindustriklyngen-ost-aeoa-naringsliv"
    )
    text = "# only comments here\n"
    clusters = parse_opml(
        opml('<outline type="rss" text="Nytt" xmlUrl="https://nytt.example.no/"/>').encode(),
        name="x.opml",
    )
    new, report = merge_opml(text, clusters, name="feeds.yaml")
    assert new.startswith(text) and report.new_clusters == ["nytt"]
    assert parse_config(new).clusters[0].sources[0].feed == "https://nytt.example.no/"
    taken = parse_opml(
        opml(
            '<outline text="Nytt"><outline type="rss" text="b" '
            'xmlUrl="https://b.example.no/"/></outline>'
        ).encode(),
        name="y.opml",
    )
    assert merge_opml(new, taken, name="feeds.yaml")[1].added == ["nytt: https://b.example.no/"]


def test_sources_opml_over_http(tmp_path: Path, kb: KnowledgeBase) -> None:
    (tmp_path / "feeds.yaml").write_text(FEEDS, encoding="utf-8")
    config = load_config(tmp_path / "feeds.yaml")
    store = Store.open(f"sqlite:///{tmp_path / 'web.db'}")
    try:
        with serving(create_app(store, kb=kb, config=config)) as url:
            r = httpx.get(f"{url}/sources.opml")
            assert r.status_code == 200
            assert r.headers["content-type"] == "text/x-opml; charset=utf-8"
            assert r.content == export_opml(config)
            doc = etree.fromstring(r.content)
            assert [o.get("xmlUrl") for o in doc.iter("outline") if o.get("type") == "rss"] == [
                "https://mineralklyngen.example.no/feed/"
            ]
            cached = httpx.get(f"{url}/sources.opml", headers={"If-None-Match": r.headers["etag"]})
            assert cached.status_code == 304
        with serving(create_app(store, kb=kb)) as url:
            assert httpx.get(f"{url}/sources.opml").status_code == 404
    finally:
        store.close()
