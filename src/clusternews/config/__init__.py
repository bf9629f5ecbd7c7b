"""feeds.yaml + environment → validated settings, loaded once and passed down."""

from clusternews.config.loader import ConfigError, load_config, parse_config
from clusternews.config.schema import Cluster, Config, Digest, Smtp, Source

__all__ = [
    "Cluster",
    "Config",
    "ConfigError",
    "Digest",
    "Smtp",
    "Source",
    "load_config",
    "parse_config",
]
