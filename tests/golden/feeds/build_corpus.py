"""Build the feed corpus and its expectations (issue 9); run by hand, never by the tests.

    python tests/golden/feeds/build_corpus.py import /path/to/feedparser-checkout [COMMIT]
    python tests/golden/feeds/build_corpus.py expect

`import` copies a fixed selection of feedparser's own test feeds (BSD-2-Clause, see
feedparser/LICENSE) into feedparser/, keeping their paths under tests/.

`expect` writes `<file>.expected.json` beside every feed of feedparser/ and adds the same
`parsed` block to the hand-written cases/*.expected.json. The expectation is what *feedparser*
reads from the bytes as the loopback server sends them (the Content-Type in `serve`, the feed's
URL as its base), judged by the rule of issue 9:

- an entry whose link (or else a guid/id that is an http(s) URL) is an http(s) URL is stored
  under that URL; with no text of its own it needs its page, which the test's server does not
  have (404, or a host that does not resolve): `page` (counted as failed; retried next poll);
- an entry without such a link, with a title and text, is stored from the feed (`linkless`);
- anything else is skipped, with the reason the source's warnings must give.

Nothing of clusternews is used except `canonical_url`: it is what makes two links one item.
JSON Feeds are read by the mapping of feedparser's JSON parser (feedparser/parsers/json.py on
its main branch; the released 6.0 has none): url → link, id, title, content_html/content_text
and summary → text.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import feedparser
import lxml.html

from clusternews.pipeline.urls import canonical_url

HERE = Path(__file__).parent
FP = HERE / "feedparser"
CASES = HERE / "cases"
BASE = "http://feeds.invalid"  # stands for the loopback server's origin in the expectations
HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
OWN = HERE / "own"
FEEDS = (".xml", ".json", ".rdf", ".atom", ".rss", ".cdf")
# The own cases that need a particular header (the rest: by the hash of their path, below).
OWN_SERVE = {
    "latin1-as-utf8-atom.xml": "application/atom+xml; charset=utf-8",
    "json-served-as-text-plain.json": "text/plain",
    "rdf-no-content-type.rdf": None,
    "utf16be-bom-rss.xml": "application/rss+xml",
    "cdf-items.cdf": "application/xml",
}

# feedparser's tests/<folder>: how many files to take (those with entries first), or all.
SELECTION: dict[str, int | None] = {
    "illformed": None,
    "json": None,
    "wellformed/cdf": None,
    "wellformed/rdf": None,
    "wellformed/http": None,
    "wellformed/xml": None,
    "wellformed/sgml": None,
    "wellformed/node_precedence": None,
    "wellformed/psc": None,
    "wellformed/namespace": None,
    "wellformed/rss": 40,
    "wellformed/atom": 24,
    "wellformed/atom10": 30,
    "wellformed/base": 26,
    "wellformed/sanitize": 26,
    "wellformed/amp": 4,
    "wellformed/lang": 6,
    "wellformed/media-rss": 4,
    "wellformed/itunes": 3,
    "wellformed/geo": 2,
    "entities": 14,
}
ENCODING = re.compile(
    r"utf|u16|bozo|no_content_type|demoronize|double-encoded|big5|euc-kr|"
    r"encoding_attribute|i18n|http_text_xml_(charset|bogus|default)|"
    r"http_application_xml_(charset|default)|text_plain"
)
ENTITIES = (
    "nbsp",
    "doesnotexist",
    "hellip",
    "160",
    "8217",
    "aring",
    "oslash",
    "euro",
    "mdash",
    "laquo",
    "hex_entity_x_lowercase",
    "empty",
    "attr_amp",
    "quot",
)
# Served with a Content-Type chosen by a hash of the path, so every kind of header is met.
SERVE = (
    "{feed}",
    "{feed}",
    "text/xml",
    "application/xml",
    None,
    "text/plain",
    "text/html",
    "application/octet-stream",
    "text/xml; charset=utf-8",
)


def main(argv: list[str]) -> int:
    if argv[:1] == ["import"] and len(argv) in (2, 3):
        import_feedparser(Path(argv[1]), argv[2] if len(argv) == 3 else None)
    elif argv == ["expect"]:
        expect_all()
    else:
        print(__doc__)
        return 2
    return 0


# -- import ------------------------------------------------------------------------------------


def import_feedparser(checkout: Path, commit: str | None) -> None:
    """`commit`: for an exported tree (git archive) that is not a checkout."""
    commit = (
        commit
        or subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    tests = checkout / "tests"
    chosen: list[Path] = []
    for folder, limit in SELECTION.items():
        files = sorted(p for p in (tests / folder).rglob("*") if p.suffix in FEEDS)
        if folder == "entities":
            files = [p for p in files if p.stem in ENTITIES or _has_entries(p)]
        elif limit is not None:
            files = sorted(files, key=lambda p: (not _has_entries(p), _priority(p), str(p)))
        chosen += files[:limit] if limit else files
    chosen += sorted(p for p in (tests / "encoding").glob("*.xml") if ENCODING.search(p.name))
    if FP.exists():
        for old in FP.rglob("*"):
            if old.is_file() and old.name not in ("LICENSE", "README.md"):
                old.unlink()
    for src in chosen:
        dst = FP / src.relative_to(tests)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    shutil.copyfile(checkout / "LICENSE", FP / "LICENSE")
    (FP / "SOURCE").write_text(
        f"https://github.com/kurtmckee/feedparser commit {commit}\n"
        "each file is tests/<its path here>, unchanged\n",
        "utf-8",
    )
    print(f"{len(chosen)} files from feedparser {commit}")


def _has_entries(path: Path) -> bool:
    return bool(feedparser.parse(path.read_bytes()).entries)


def _priority(path: Path) -> int:
    """Versions, links, guids and content first: what decides whether an entry is stored."""
    name = path.name
    return 0 if re.search(r"version|link|guid|_id|content|base|rss09|title", name) else 1


# -- expectations --------------------------------------------------------------------------------


def expect_all() -> None:
    n = 0
    for path in sorted([*FP.rglob("*"), *OWN.glob("*")]):
        if path.suffix not in FEEDS or path.name.endswith(".expected.json"):
            continue
        rel = path.relative_to(HERE).as_posix()
        data = path.read_bytes()
        if path.parent == OWN:
            expected = {
                "origin": "clusternews own (CC0)",
                "topic": f"own/{path.stem}",
                "serve": OWN_SERVE.get(path.name, _serve(rel, data)),
            }
        else:
            sub = path.relative_to(FP).as_posix()
            expected = {
                "origin": f"feedparser tests/{sub}",
                "topic": _topic(sub),
                "serve": _serve(sub, data),
            }
        expected.update(judge(data, f"/{rel}", expected["serve"]))
        _write(path.with_name(path.name + ".expected.json"), expected)
        n += 1
    for exp in sorted(CASES.glob("*.expected.json")):
        name = exp.name.removesuffix(".expected.json")
        (path,) = (p for p in CASES.glob(f"{name}.*") if not p.name.endswith(".expected.json"))
        old = json.loads(exp.read_text("utf-8"))
        parsed = judge(path.read_bytes(), f"/cases/{path.name}", old["serve"])
        _write(
            exp, {**old, "origin": "clusternews cases (CC0)", "topic": f"cases/{name}", **parsed}
        )
        n += 1
    print(f"{n} expectations written")


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _topic(rel: str) -> str:
    parts = rel.split("/")
    return "/".join(parts[:2]) if parts[0] == "wellformed" else parts[0]


def _serve(rel: str, data: bytes) -> str | None:
    declared = {
        k.strip().lower(): v.strip() for k, v in HEADER.findall(data.decode("utf-8", "ignore"))
    }
    if "content-type" in declared:
        return declared["content-type"]
    if rel.startswith("json/"):
        return "application/feed+json"
    pick = SERVE[int(hashlib.sha1(rel.encode()).hexdigest(), 16) % len(SERVE)]
    if pick != "{feed}":
        return pick
    head = data[:2000].lower().replace(b"\x00", b"")
    kind = b"atom" if b"<feed" in head else b"rdf" if b"<rdf:rdf" in head else b"rss"
    return f"application/{kind.decode()}+xml"


def judge(data: bytes, path: str, serve: str | None) -> dict[str, Any]:
    """What feedparser reads from `data` served at BASE+path with `serve`, and each entry's fate."""
    url = BASE + path
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return _judge_json(data, url)
    note = None
    if serve and serve.lower().startswith("text/") and "charset" not in serve.lower():
        # feedparser follows RFC 3023: text/* without a charset is us-ascii, whatever the
        # document says. RFC 7303 (which obsoletes it) lets the BOM or XML declaration decide
        # for text/xml, and issue 9 reads a feed served as another text type by its content.
        note = f"judged as application/xml: RFC 7303, not RFC 3023, for {serve} without charset"
        serve = "application/xml"
    elif not serve:
        # Without a Content-Type feedparser falls back to ISO-8859-1 (the old HTTP default);
        # the body is XML, whose default is UTF-8 unless a BOM or declaration says otherwise.
        note = "judged as application/xml: served without a Content-Type, the XML defaults apply"
        serve = "application/xml"
    headers = {"content-location": url, **({"content-type": serve} if serve else {})}
    parsed = feedparser.parse(data, response_headers=headers)
    written = feedparser.parse(
        data, response_headers={k: v for k, v in headers.items() if k != "content-location"}
    ).entries
    exc = parsed.get("bozo_exception")
    info = {
        "version": parsed.get("version") or "",
        "bozo": bool(parsed.bozo),
        "bozo_exception": f"{type(exc).__name__}: {exc}" if exc else None,
        "entries": len(parsed.entries),
    }
    if note:
        info["note"] = note
    if not parsed.entries and not parsed.get("version"):  # not a feed feedparser knows
        return {"feedparser": info, "status": "error", "parsed": []}
    # Without chardet, feedparser reads undeclared legacy encodings as windows-1252; its titles
    # are then mojibake, and not what a reader should store: only the count is compared.
    guessed = (
        isinstance(exc, feedparser.CharacterEncodingOverride) and "parsed as" in str(exc)
    ) or _undeclared_legacy(data, serve)
    site = canonical_url(str(parsed.feed.get("link") or ""), url) or BASE + "/"
    cut = _cut_entry(data, parsed) if parsed.bozo else None
    seen: set[str] = set()
    out = []
    for i, raw in enumerate(parsed.entries):
        as_written = written[i].get("id") if len(written) == len(parsed.entries) else None
        link = raw.get("link")
        if link and raw.get("guidislink") and link == raw.get("id"):
            link = None  # feedparser copied the guid into the link: judged as written below
        text = _text(raw.get("summary")) or _text((raw.get("content") or [{}])[0].get("value"))
        out.append(_fate(raw, link, as_written, text, url=url, site=site, seen=seen, cut=i == cut))
        if guessed:
            out[-1]["charset_guessed"] = True
    return {
        "feedparser": info,
        "status": "warnings" if parsed.bozo else "ok",
        "site": _rel(site),
        "parsed": out,
    }


def _fate(
    raw: Any,
    link: str | None,
    guid: str | None,
    text: str,
    *,
    url: str,
    site: str,
    seen: set[str],
    cut: bool,
) -> dict[str, Any]:
    title = _title(raw)
    entry: dict[str, Any] = {"title": title}
    if cut:
        return {
            **entry,
            "outcome": "skipped",
            "reason": "cut off before its title and link were complete",
        }
    target = canonical_url(link or "", url) if link else None
    if target is None and guid and guid.strip().lower().startswith(("http://", "https://")):
        target = canonical_url(guid.strip(), url)
    if target is not None:
        key = target
        entry.update(link=_rel(target), outcome="stored" if text else "page")
    elif title and text:
        key = f"{guid}" if guid else f"{title}\n{raw.get('published') or raw.get('updated')}"
        entry.update(link=None, outcome="linkless")
    else:
        return {
            **entry,
            "outcome": "skipped",
            "reason": "no link, and no title and text to stand for the article",
        }
    if key in seen:
        return {**entry, "outcome": "skipped", "reason": "the same link as an earlier entry"}
    seen.add(key)
    return entry


def _undeclared_legacy(data: bytes, serve: str | None) -> bool:
    """Not UTF-8, and no BOM, HTTP charset or XML encoding says what it is."""
    if (
        data[:2] in (b"\xff\xfe", b"\xfe\xff")
        or b"\x00" in data[:4]
        or "charset" in (serve or "").lower()
        or re.match(rb"\s*<\?xml[^>]*encoding", data)
    ):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _cut_entry(data: bytes, parsed: Any) -> int | None:
    """The index of the last entry when the document stops inside it before its title and
    link/guid/id were closed (what was read of them may be wrong)."""
    text = data.decode("utf-8", "replace").rstrip()
    starts = list(re.finditer(r"<(\w+:)?(item|entry)[\s>/]", text))
    if not starts or not parsed.entries or re.search(r"</(\w+:)?(rss|feed|RDF)\s*>$", text):
        return None
    tail = text[starts[-1].end() :]
    if re.search(rf"</(\w+:)?{starts[-1].group(2)}\s*>", tail):
        return None
    closed = re.search(r"</(\w+:)?title\s*>", tail) and re.search(
        r"</(\w+:)?(link|guid|id)\s*>|<(\w+:)?link\b[^>]*/>", tail
    )
    return None if closed else len(parsed.entries) - 1


def _judge_json(data: bytes, url: str) -> dict[str, Any]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except ValueError as exc:
        return {
            "feedparser": {"version": "", "bozo": True, "bozo_exception": str(exc), "entries": 0},
            "status": "error",
            "parsed": [],
        }
    version = {
        "https://jsonfeed.org/version/1": "json1",
        "https://jsonfeed.org/version/1.1": "json11",
    }.get(doc.get("version"), "")
    items = doc.get("items") if version and isinstance(doc.get("items"), list) else []
    info = {"version": version, "bozo": not version, "bozo_exception": None, "entries": len(items)}
    if not version:
        return {"feedparser": info, "status": "error", "parsed": []}
    home = doc.get("home_page_url")
    site = canonical_url(home if isinstance(home, str) else "", url) or BASE + "/"
    seen: set[str] = set()
    out = []
    for item in items:
        raw = {"title": item.get("title") or "", "title_detail": {"type": "text/plain"}}
        ident = item.get("id") if isinstance(item.get("id"), str) else None
        text = (
            _text(item.get("content_html"))
            or (item.get("content_text") or "").strip()
            or (item.get("summary") or "").strip()
        )
        out.append(
            _fate(
                raw,
                item.get("url") or item.get("external_url"),
                ident,
                text,
                url=url,
                site=site,
                seen=seen,
                cut=False,
            )
        )
    return {"feedparser": info, "status": "ok", "site": _rel(site), "parsed": out}


def _title(raw: Any) -> str:
    value = raw.get("title") or ""
    kind = (raw.get("title_detail") or {}).get("type", "text/html")
    return " ".join((value if kind == "text/plain" else _text(value)).split())


def _text(value: object) -> str:
    """HTML as the words a reader sees (tags dropped, entities read), whitespace collapsed."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        words = lxml.html.fragment_fromstring(value, create_parent="div").text_content()
    except Exception:  # noqa: BLE001 - not HTML at all: the text as written
        words = value
    return " ".join(words.split())


def _rel(url: str) -> str:
    return url[len(BASE) :] if url.startswith(BASE + "/") else url


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
