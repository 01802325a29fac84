"""Detection: what an article reports about Russia–DPRK relations, in stages with one job each.

:func:`detect_article` (re-exported by :mod:`alerts.detect`) runs them for one article; see
:mod:`alerts.detection.detector` for the order and ``docs/detection.md`` for each stage.
``corpus`` loads and validates the labelled corpus, ``learn`` is the small learning toolkit,
``training`` rebuilds the shipped models (``rudprk train``) and ``learned`` scores an article
with them at run time.
"""

from alerts.detection.detector import detect_article
from alerts.detection.events import ALERT_TYPES, EVENT_TYPES
from alerts.detection.lexicon import Lexicons, default_lexicons, load_lexicons
from alerts.detection.results import (
    MODALITIES,
    AliasMatch,
    DetectedEvent,
    Detection,
    Relevance,
)

__all__ = [
    "ALERT_TYPES",
    "EVENT_TYPES",
    "MODALITIES",
    "AliasMatch",
    "DetectedEvent",
    "Detection",
    "Lexicons",
    "Relevance",
    "default_lexicons",
    "detect_article",
    "load_lexicons",
]
