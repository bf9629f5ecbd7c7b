"""The `digest` command: preview a week's digest as files, send it now, or show deliveries."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from clusternews.console import ago, console
from clusternews.settings import Settings

EXIT_USAGE = 2


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.adapters.store import Store
    from clusternews.pipeline.isoweek import IsoWeek

    config = settings.load()
    now = datetime.now(UTC)
    chosen = [d for d in config.digests if args.id in (None, d.id)]
    if not chosen:
        known = ", ".join(d.id for d in config.digests) or "none in the config"
        print(
            f"digest: no digest {args.id!r} (known: {known})"
            if args.id
            else f"digest: {settings.config_path} has no digests: section",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        week = IsoWeek.parse(args.week) if args.week else None
    except ValueError as exc:
        print(f"digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    store = Store.open(settings.db_url)
    try:
        if args.status:
            return _status(store, [d.id for d in chosen], week, now)
        week = week or IsoWeek.last_complete(now, config.defaults.timezone)
        if args.preview:
            return _preview(store, config, chosen, week, Path(args.preview), now)
        return _send(store, config, chosen, week, settings)
    except ValueError as exc:  # an unknown programme or region in a digest's filters
        print(f"digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        store.close()


def _preview(store, config, chosen, week, out: Path, now: datetime) -> int:  # type: ignore[no-untyped-def]
    from clusternews.jobs.preview_digest import write_previews

    for p in write_previews(store, config, chosen, week, out, now=now):
        groups = ", ".join(f"{title} ({n})" for title, n in p.groups)
        console.print(
            f"{p.digest} {week}: {p.items} items in {len(p.groups)} "
            f"groups{': ' + groups if groups else ''}"
        )
        console.print(f"  {p.eml}\n  {p.html}", highlight=False)
    return 0


def _send(store, config, chosen, week, settings) -> int:  # type: ignore[no-untyped-def]
    from clusternews.adapters.mail import Mailer, MailError
    from clusternews.jobs.send_digest import send_digest
    from clusternews.knowledge.base import KnowledgeBase

    kb = KnowledgeBase.load()
    try:
        smtp = settings.smtp(config)
    except MailError as exc:
        print(f"digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    failed = 0
    with Mailer(smtp) as mailer:
        for digest in chosen:
            # Asked for by a person: failed deliveries are retried now, not at their due time.
            report = send_digest(store, config, digest, week, mailer=mailer, kb=kb, retry_now=True)
            console.print(
                f"{digest.id} {week}: {report.items} items; sent {len(report.sent)}, "
                f"failed {len(report.failed)}, skipped {len(report.skipped)} "
                "(already sent, in progress or nothing new)"
            )
            for recipient, error in report.failed:
                console.print(
                    f"  [red]failed[/red] {escape(recipient)}: {escape(error)}", highlight=False
                )
            failed += len(report.failed)
    return 1 if failed else 0


def _status(store, ids: list[str], week, now: datetime) -> int:  # type: ignore[no-untyped-def]
    from clusternews.adapters.store import deliveries

    with store.read() as conn:
        rows = [
            r
            for d in ids
            for r in deliveries.rows(conn, digest_id=d, week=str(week) if week else None)
        ]
    table = Table(title=f"{len(rows)} deliveries")
    for col in (
        "digest",
        "week",
        "recipient",
        "state",
        "attempts",
        "items",
        "when",
        "next try",
        "error",
    ):
        table.add_column(col, overflow="fold")
    for r in rows:
        style = {"failed": "red", "sending": "yellow", "skipped": "dim"}.get(r["state"], "")
        state = "given up" if r["state"] == "failed" and r["permanent"] else r["state"]
        table.add_row(
            r["digest_id"],
            r["week"],
            r["recipient"],
            state,
            str(r["attempts"]),
            str(r["items"]),
            ago(r["sent_at"] or r["claimed_at"], now=now),
            ago(r["next_attempt_at"], now=now) if r["next_attempt_at"] else "",
            escape(r["error"] or ""),
            style=style,
        )
    console.print(table)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("digest", help="build, send or show the weekly email digests")
    p.add_argument("--id", help="one digest id (default: every digest)")
    p.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete week)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--preview", metavar="DIR", help="write .eml and .html files, send nothing")
    what.add_argument(
        "--send",
        action="store_true",
        help="send now (each recipient at most once per digest and week)",
    )
    what.add_argument("--status", action="store_true", help="what was sent and what failed")
    p.set_defaults(func=cmd_digest)
