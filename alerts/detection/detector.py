"""The detector: the stages of :mod:`alerts.detection` run in order for one article.

document (:mod:`~alerts.detection.document`) → relevance by rules
(:mod:`~alerts.detection.relevance`) → candidates of each registered event type
(:mod:`~alerts.detection.events`) → framing and the rules' modality
(:mod:`~alerts.detection.framing`, :mod:`~alerts.detection.modality`) → the rules' choice
(:mod:`~alerts.detection.decide`) → the learned decisions, when models are shipped
(:mod:`~alerts.detection.decisions`) → the event's attributes
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
from alerts.detection.decide import best_of_type, secondary, settle
from alerts.detection.decisions import Decision, decide
from alerts.detection.document import Document
from alerts.detection.features import Analysis, analyse
from alerts.detection.lexicon import Lexicons
from alerts.detection.results import DetectedEvent, Detection, Relevance
from alerts.detection.scan import Hit


def detect_article(
    text: str,
    *,
    title: str = "",
    lang: str | None = None,
    published: date | datetime | None = None,
    lexicons: Lexicons | None = None,
) -> Detection:
    """Relevance and events of one article (title and text), resolved against ``published``."""
    a = analyse(text, title, lang, published, lexicons)
    doc, relevance = a.doc, a.relevance
    if a.main is None:
        return Detection(None, relevance, ())
    decision = decide(a, title, text, lang) if lexicons is None else None
    # The type and novelty heads learn from relevant items only: they decide relevant articles.
    main = a.main if decision is None or not decision.relevant else apply_decision(a, decision)
    if decision is not None:
        relevance = Relevance(decision.relevant, round(decision.relevance, 3), relevance.reasons)
    events = [build_event(doc, main, relevance, decision)]
    events += [build_event(doc, c, relevance) for c in secondary(doc, main, a.candidates)]
    return Detection(
        doc.language, relevance, tuple(events), model=decision.model if decision else None
    )


def apply_decision(a: Analysis, decision: Decision) -> Candidate:
    """The main event as the heads decided it: the rules' strongest act of the chosen type
    (or one read from the lead when the rules found none), framed as the novelty head says."""
    assert a.main is not None
    doc = a.doc
    main = a.main
    if main.event_type != decision.event_type:
        found = best_of_type(doc, a.candidates, decision.event_type)
        if found is None:
            first = doc.first_body or doc.sentences[0]
            anchor = Hit("cue:none", first.start, min(first.end, first.start + 1))
            found = Candidate(decision.event_type, 1.0, anchor, raw=1.0, effective=1.0)
            settle(doc, found)
        main = found
    main.modality = decision.novelty
    return main


def confidence(cand: Candidate, relevance: Relevance) -> float:
    base = 0.25 + min(cand.effective, 5.0) * 0.12
    if not relevance.relevant:
        base *= 0.5
    return round(max(0.05, min(0.99, base)), 2)


def build_event(
    doc: Document, cand: Candidate, relevance: Relevance, decision: Decision | None = None
) -> DetectedEvent:
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
        confidence=(
            round(decision.relevance * decision.event_type_p * decision.novelty_p, 2)
            if decision is not None
            else confidence(cand, relevance)
        ),
        framing=tuple(
            sorted(cand.framing.kinds | ({"question"} if cand.framing.question else set()))
        ),
    )
