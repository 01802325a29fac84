"""Public entry point of detection: :func:`detect_article` and the types it returns.

The stages live in :mod:`alerts.detection` (document, lexicons, event types, framing, learned
decisions); this module keeps the import path the pipeline, ``rudprk eval`` and event matching
use. ``detect_article(text, title=…, lang=…, published=…)`` is pure: no I/O, nothing downloaded.
"""

from alerts.detection import (
    ALERT_TYPES,
    EVENT_TYPES,
    MODALITIES,
    AliasMatch,
    DetectedEvent,
    Detection,
    Relevance,
    detect_article,
)

__all__ = [
    "ALERT_TYPES",
    "EVENT_TYPES",
    "MODALITIES",
    "AliasMatch",
    "DetectedEvent",
    "Detection",
    "Relevance",
    "detect_article",
]
