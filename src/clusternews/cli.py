"""The `clusternews` command; the only place logging is configured."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import time
from datetime import UTC, datetime

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import OperationalError

from clusternews import __version__, cli_digest, cli_opml
from clusternews.cli_query import add_parsers
from clusternews.cli_web import add_parsers as add_web_parsers
from clusternews.config import ConfigError
from clusternews.console import console, outcomes_table, sources_table
from clusternews.settings import Settings

EXIT_CONFIG = 2
EXIT_DATABASE = 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env(config=args.config, db=args.db, workers=args.workers)
        return int(args.func(args, settings) or 0)
    except ConfigError as exc:
        # Plain text, never wrapped: editors and CI parse `file:line:` at the start of a line.
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    except OperationalError as exc:
        # The database itself failed (a full disk, a server gone): one line, not a traceback.
        logging.getLogger(__name__).debug("database error", exc_info=True)
        print(f"clusternews: the database failed: {exc.orig}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        return 130


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.runtime import Runtime

    config = settings.load()
    with Runtime(settings, config) as rt:
        specs = rt.select(args.source)
        if specs is None:
            print(f"ingest: no source or cluster with id {args.source!r}", file=sys.stderr)
            return EXIT_CONFIG
        started = time.perf_counter()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("ingesting", total=len(specs))
            outcomes = asyncio.run(rt.ingest(specs, on_done=lambda o: bar.advance(task)))
        console.print(outcomes_table(outcomes, rt.context.timings, time.perf_counter() - started))
    return 0


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.adapters.store import Store, sources
    from clusternews.adapters.store.status import source_statuses
    from clusternews.config.schema import flatten_sources

    config = settings.load()
    specs = flatten_sources(config)
    store = Store.open(settings.db_url)
    with store.write() as conn:
        sources.sync(conn, specs)
    with store.read() as conn:
        rows = source_statuses(conn, [s.id for s in specs])
    if args.json:
        print(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
    else:
        console.print(sources_table(rows, datetime.now(UTC)))
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.runtime import Runtime

    config = settings.load()
    with Runtime(settings, config) as rt:
        asyncio.run(rt.run_forever(host=args.host, port=args.port, worker=not args.no_worker))
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.runtime import Runtime
    from clusternews.taskqueue import uses_queue

    if not uses_queue(settings.db_url):
        print(
            "worker: the task queue needs PostgreSQL (--db or CLUSTERNEWS_DATABASE_URL="
            "postgresql://…); with SQLite, `clusternews run` ingests in its own process",
            file=sys.stderr,
        )
        return 2
    config = settings.load()
    with Runtime(settings, config) as rt, contextlib.suppress(KeyboardInterrupt):
        asyncio.run(rt.work(concurrency=args.concurrency))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import os

    import uvicorn

    from clusternews.adapters.store import Store
    from clusternews.web.app import create_app

    store = Store.open(settings.db_url)  # migrated once here, before any worker starts
    processes = args.web_workers or os.cpu_count() or 1
    if processes > 1:
        # Worker processes share nothing but the database: each builds its app from the
        # environment (web.app.app_from_env), so every core answers requests.
        store.close()
        os.environ.update(settings.as_env())
        from clusternews.web import workers

        if workers.reuse_port_supported():
            # One socket per worker: uvicorn's shared socket left one core serving everything.
            workers.supervise(args.host, args.port, processes)
            return 0
        uvicorn.run(
            "clusternews.web.app:app_from_env",
            factory=True,
            workers=processes,
            host=args.host,
            port=args.port,
            log_level="warning",
        )
        return 0
    # feeds.yaml, when there is one, only for /sources.opml: the rest is read from the store.
    config = settings.load_if_present()
    uvicorn.run(
        create_app(store, config=config, options=settings.web(config)),
        host=args.host,
        port=args.port,
        log_level="warning",
    )
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.demo.run import run_demo

    return run_demo(keep_serving=not args.no_serve, workers=settings.workers, port=args.port)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clusternews", description=__doc__)
    parser.add_argument("--version", action="version", version=f"clusternews {__version__}")
    parser.add_argument("--config", help="feeds.yaml path (env CLUSTERNEWS_CONFIG)")
    parser.add_argument("--db", help="database URL (env CLUSTERNEWS_DATABASE_URL)")
    parser.add_argument(
        "--workers",
        type=int,
        help="processes for extraction, language and tagging "
        "(default: cores, at most 2; 0 = a thread)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="poll every source (or one) now")
    p.add_argument("--once", action="store_true", help="one pass, then exit (the default)")
    p.add_argument("--source", help="a source id (cluster:kind) or a cluster id")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("sources", help="every source with its URL, status, warnings and items")
    p.add_argument("--json", action="store_true", help="one JSON array of sources")
    p.set_defaults(func=cmd_sources)
    cli_opml.add_parsers(p)  # sources export --opml, sources import FILE.opml

    for name, func, text in (
        ("run", cmd_run, "scheduler + HTTP server"),
        ("serve", cmd_serve, "HTTP server only"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.set_defaults(func=func)
        if name == "serve":
            p.add_argument(
                "--web-workers",
                type=int,
                default=0,
                help="HTTP worker processes (default: one per core)",
            )
        if name == "run":
            p.add_argument(
                "--no-worker",
                action="store_true",
                help="on PostgreSQL: only enqueue jobs; `worker` processes work them",
            )

    p = sub.add_parser("worker", help="work queued refreshes and digests (PostgreSQL)")
    p.add_argument(
        "--concurrency", type=int, default=4, help="jobs worked at once in this process (default 4)"
    )
    p.set_defaults(func=cmd_worker)

    add_parsers(sub)
    cli_digest.add_parsers(sub)
    add_web_parsers(sub)

    p = sub.add_parser("demo", help="bundled demo site → ingest → digest preview → web server")
    p.add_argument(
        "--no-serve",
        action="store_true",
        help="stop after ingesting and writing the digest preview",
    )
    p.add_argument("--port", type=int, default=8000, help="web server port (default 8000)")
    p.set_defaults(func=cmd_demo)
    return parser


if __name__ == "__main__":
    sys.exit(main())
