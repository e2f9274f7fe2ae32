"""The suggestion core: argument checks, candidates, the ranking, policies and :class:`SuggestConfig`."""

from genhpo.suggest.config import SuggestConfig
from genhpo.suggest.core import Suggester
from genhpo.suggest.ranking import Ranking, RidgeCorrection

__all__ = ["Ranking", "RidgeCorrection", "SuggestConfig", "Suggester"]
