"""Use cases: the only code that calls both pipeline stages and adapters."""
