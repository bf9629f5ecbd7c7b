"""Scale-out on PostgreSQL: source refreshes and digest sends as jobs on procrastinate's queue.

`run` enqueues on schedule (and works jobs itself unless `--no-worker`); `clusternews worker`
works them on any machine that reaches the database. SQLite keeps the in-process scheduler.
"""

from clusternews.taskqueue.queue import (
    DIGEST_TASK,
    REFRESH_TASK,
    Handlers,
    QueueOptions,
    build_app,
    defer_digest,
    defer_refresh,
    ensure_schema,
    uses_queue,
)

__all__ = [
    "DIGEST_TASK",
    "REFRESH_TASK",
    "Handlers",
    "QueueOptions",
    "build_app",
    "defer_digest",
    "defer_refresh",
    "ensure_schema",
    "uses_queue",
]
