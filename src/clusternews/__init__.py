"""clusternews: the news of Nordic industry clusters, collected, understood and handed back."""

__version__ = "0.1.0"
