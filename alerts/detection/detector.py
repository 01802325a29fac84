"""The detector: the stages of :mod:`alerts.detection` run in order for one article.

document (:mod:`~alerts.detection.document`) → relevance by rules
(:mod:`~alerts.detection.relevance`) → candidates of each registered event type
(:mod:`~alerts.detection.events`) → framing and the rules' modality
(:mod:`~alerts.detection.framing`, :mod:`~alerts.detection.modality`) → the rules' choice
(:mod:`~alerts.detection.decide`) → the learned decisions, when models are shipped
(:mod:`~alerts.detection.learned_decisions`) → the event's attributes
(:mod:`~alerts.detection.attributes`, :mod:`~alerts.detection.actors`).
"""

from __future__ import annotations

from datetime import date, datetime

from alerts.detection.actors import pick_actors
from alerts.detection.attributes import (
    is_additional,
    pick_claimant,
    pick_date,
    pick_place,
    pick_quantity,
    stage_force,
)
from alerts.detection.candidates import Candidate
from alerts.detection.decide import choose, secondary
from alerts.detection.document import Document, read_document
from alerts.detection.lexicon import Lexicons
from alerts.detection.relevance import assess
from alerts.detection.results import DetectedEvent, Detection, Relevance


def detect_article(
    text: str,
    *,
    title: str = "",
    lang: str | None = None,
    published: date | datetime | None = None,
    lexicons: Lexicons | None = None,
) -> Detection:
    """Relevance and events of one article (title and text), resolved against ``published``."""
    doc = read_document(text, title, lang, published, lexicons)
    relevance, _parts = assess(doc)
    if not doc.sentences:
        return Detection(None, relevance, ())
    main, candidates = choose(doc)
    events = [build_event(doc, main, relevance)]
    events += [build_event(doc, c, relevance) for c in secondary(doc, main, candidates)]
    return Detection(doc.language, relevance, tuple(events))


def confidence(cand: Candidate, relevance: Relevance) -> float:
    base = 0.25 + min(cand.effective, 5.0) * 0.12
    if not relevance.relevant:
        base *= 0.5
    return round(max(0.05, min(0.99, base)), 2)


def build_event(doc: Document, cand: Candidate, relevance: Relevance) -> DetectedEvent:
    span = doc.sentence_of(cand.anchor.start)
    quantity, kinds = pick_quantity(doc, cand)
    when = pick_date(doc, cand)
    force = "+".join(kinds) if kinds else stage_force(doc, cand)
    actors = pick_actors(doc, cand, relevance.relevant)
    return DetectedEvent(
        event_type=cand.event_type,
        modality=cand.modality,
        low=quantity.low if quantity is not None else None,
        high=quantity.high if quantity is not None else None,
        qualifier=quantity.qualifier if quantity is not None else None,
        unit=quantity.unit if quantity is not None else None,
        force=force,
        place=pick_place(doc, cand, actors[0] if actors else None),
        event_date=when.start if when is not None else None,
        date_end=when.end if when is not None else None,
        date_precision=when.precision if when is not None else None,
        actors=actors,
        claimant=pick_claimant(doc, cand),
        additional=is_additional(doc, cand, quantity),
        evidence=doc.text[span.start : span.end].strip(),
        confidence=confidence(cand, relevance),
        framing=tuple(
            sorted(cand.framing.kinds | ({"question"} if cand.framing.question else set()))
        ),
    )
