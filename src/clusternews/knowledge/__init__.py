"""Knowledge base: regions (countries, counties, municipalities, towns, named areas)."""
