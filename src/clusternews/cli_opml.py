"""`sources export --opml` and `sources import FILE.opml`: the file I/O around config/opml*."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from clusternews.config import ConfigError
from clusternews.config.opml import export_opml, parse_opml
from clusternews.config.opml_import import merge_opml
from clusternews.settings import Settings, region_checker


def add_parsers(sources: argparse.ArgumentParser) -> None:
    actions = sources.add_subparsers(metavar="ACTION")
    p = actions.add_parser("export", help="every configured source as an OPML 2.0 document")
    p.add_argument(
        "--opml",
        required=True,
        nargs="?",
        const="-",
        metavar="FILE|-",
        help="write OPML to FILE (default: standard output)",
    )
    p.set_defaults(func=cmd_export)
    p = actions.add_parser(
        "import",
        help="add the clusters and sources of an OPML file to feeds.yaml, keeping its comments",
    )
    p.add_argument("file", metavar="FILE.opml")
    p.add_argument(
        "--country",
        metavar="CC",
        help="country of clusters the OPML does not place (no cn:country, no "
        ".no/.se/.dk/.fi host), e.g. NO",
    )
    p.set_defaults(func=cmd_import)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    body = export_opml(settings.load())
    if args.opml == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        _write_atomically(Path(args.opml), body)
        print(f"wrote {args.opml}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    path = settings.config_path
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise ConfigError([f"{args.file}: cannot read: {exc.strerror}"]) from None
    clusters = parse_opml(data, name=args.file, default_country=args.country)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        new_text, report = merge_opml(
            text,
            clusters,
            name=str(path),
            origin=Path(args.file).name,
            region_known=region_checker(),
        )
    except ConfigError as exc:
        raise ConfigError([*exc.problems, f"{path}: not changed"]) from None
    if new_text != text:
        _write_atomically(path, new_text.encode("utf-8"))
    for cid in report.new_clusters:
        print(f"new cluster {cid}")
    for line in report.added:
        print(f"added {line}")
    print(
        f"{path}: {len(report.added)} sources added ({len(report.new_clusters)} new clusters), "
        f"{len(report.skipped)} already there"
    )
    return 0


def _write_atomically(path: Path, body: bytes) -> None:
    """A crash or a full disk leaves the old file, never half a new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
