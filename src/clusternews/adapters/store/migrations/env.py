"""Alembic environment: migrations run programmatically on the store's own connection."""

from alembic import context

from clusternews.adapters.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
