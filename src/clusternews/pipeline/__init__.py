"""Pure pipeline stages in flow order: no network, database, clock or settings."""
