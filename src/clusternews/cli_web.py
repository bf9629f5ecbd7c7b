"""The `partners` command: add, list and revoke API tokens for partner intranets."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from rich.table import Table

from clusternews.console import console
from clusternews.settings import Settings


def cmd_partners(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.adapters.store import Store
    from clusternews.adapters.store import partners as store_partners

    store = Store.open(settings.db_url)
    now = datetime.now(UTC)
    try:
        if args.action == "add":
            with store.write() as conn:
                token = store_partners.add(conn, args.name, now=now)
            # The one time the token is shown: on stdout alone, so it can be piped to a vault.
            print(token)
            print(
                f"partners: token for {args.name!r} shown once; it cannot be shown again",
                file=sys.stderr,
            )
            return 0
        if args.action == "revoke":
            with store.write() as conn:
                store_partners.revoke(conn, args.name, now=now)
            print(f"partners: {args.name!r} revoked", file=sys.stderr)
            return 0
        with store.read() as conn:
            rows = store_partners.listing(conn)
    except store_partners.PartnerError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        store.close()
    table = Table(title=f"{len(rows)} partners")
    for col in ("name", "created", "last used", "status"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["name"],
            f"{r['created_at']:%Y-%m-%d %H:%M}",
            f"{r['last_used_at']:%Y-%m-%d %H:%M}" if r["last_used_at"] else "never",
            f"revoked {r['revoked_at']:%Y-%m-%d}" if r["revoked_at"] else "active",
        )
    console.print(table)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("partners", help="API tokens for partner intranets")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("add", help="create a partner and print its token (shown once)")
    a.add_argument("name")
    actions.add_parser("list", help="partners, when they last used their token, status")
    r = actions.add_parser("revoke", help="revoke a partner's token at once")
    r.add_argument("name")
    p.set_defaults(func=cmd_partners)
