"""Entity tagging: statistical NER plus a knowledge-base rule layer, linked to canonical ids."""

from clusternews.pipeline.entities.model import Mention, TagResult
from clusternews.pipeline.entities.tagger import Tagger

__all__ = ["Mention", "TagResult", "Tagger"]
