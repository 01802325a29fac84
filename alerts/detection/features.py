"""What the rule stages tell the learned decisions: named numbers and the evidence's words.

:func:`analyse` runs the rule stages on one article (document, relevance, candidates, the
rules' choice); :func:`rule_features` turns the result into the named numbers of
:data:`FEATURE_NAMES` (the relevance evidence, each event type's strongest cue, the rules'
type and modality, the framing kinds around the chosen act and in the lead, the mechanisms
that fired); :func:`evidence_tokens` gives the words of the chosen act's sentence. Training
(:mod:`alerts.detection.heads`) and the run time (:mod:`alerts.detection.decisions`) call the
same functions, so a model always sees what it was trained on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from alerts.detection.candidates import Candidate
from alerts.detection.decide import choose
from alerts.detection.document import Document, read_document
from alerts.detection.events import EVENT_TYPES
from alerts.detection.framing import triggers_of
from alerts.detection.lexicon import FRAMING_KINDS, Lexicons
from alerts.detection.relevance import RelevanceParts, assess
from alerts.detection.results import MODALITIES, Relevance

_KINDS = (*FRAMING_KINDS, "question")
_NOTES = (
    "attributive",
    "anniversary",
    "commentary",
    "no_act",
    "unclaimed_presence",
    "vague_goal",
    "infrastructure",
    "no_visitor",
    "framing_of_stronger_mention",
)
FEATURE_NAMES: tuple[str, ...] = (
    "rel_score",
    "rel_relevant",
    "rel_russia",
    "rel_north_korea",
    "rel_together",
    "rel_lead_pair",
    "rel_cue_with_pair",
    "rel_kp_test",
    "rel_side_clause",
    "rel_third_country",
    "rel_war_pair",
    *(f"cue_{t}" for t in EVENT_TYPES),
    *(f"rule_type_{t}" for t in EVENT_TYPES),
    *(f"rule_modality_{m}" for m in MODALITIES),
    *(f"frame_{k}" for k in _KINDS),
    *(f"lead_frame_{k}" for k in _KINDS),
    *(f"note_{n}" for n in _NOTES),
    "act_weak",
    "act_in_lead",
    "act_fallback",
    "act_figure",
    "act_additional",
    "body_long",
)
_WORD_RE = re.compile(r"[\w\u0300-\u036f\u0900-\u0dff]+")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@dataclass
class Analysis:
    """The rule stages' view of one article."""

    doc: Document
    relevance: Relevance
    parts: RelevanceParts
    main: Candidate | None
    candidates: list[Candidate]


def analyse(
    text: str,
    title: str = "",
    lang: str | None = None,
    published: date | datetime | None = None,
    lexicons: Lexicons | None = None,
) -> Analysis:
    doc = read_document(text, title, lang, published, lexicons)
    relevance, parts = assess(doc)
    if not doc.sentences:
        return Analysis(doc, relevance, parts, None, [])
    main, candidates = choose(doc)
    return Analysis(doc, relevance, parts, main, candidates)


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


def rule_features(a: Analysis) -> dict[str, float]:
    """The named numbers of :data:`FEATURE_NAMES` for one analysed article."""
    p, doc = a.parts, a.doc
    out = dict.fromkeys(FEATURE_NAMES, 0.0)
    out.update(
        rel_score=a.relevance.score,
        rel_relevant=_flag(a.relevance.relevant),
        rel_russia=math.log1p(p.russia),
        rel_north_korea=math.log1p(p.north_korea),
        rel_together=min(p.together, 3) / 3,
        rel_lead_pair=_flag(p.lead_pair),
        rel_cue_with_pair=_flag(p.cue_with_pair),
        rel_kp_test=_flag(p.kp_test),
        rel_side_clause=_flag(p.side_clause),
        rel_third_country=_flag(p.third_country),
        rel_war_pair=_flag(p.war_pair),
        body_long=_flag(len(doc.text) > 1500),
    )
    for c in a.candidates:
        key = f"cue_{c.event_type}"
        out[key] = max(out[key], min(c.raw, 8.0) / 8.0)
    lead = {s.index for s in doc.lead}
    for t in triggers_of(doc):
        if doc.sentence_of(t.hit.start).index in lead:
            out[f"lead_frame_{t.kind}"] = 1.0
    if any(doc.text[s.start : s.end].rstrip().endswith(("?", "？")) for s in doc.lead):
        out["lead_frame_question"] = 1.0
    m = a.main
    if m is None:
        return out
    out[f"rule_type_{m.event_type}"] = 1.0
    out[f"rule_modality_{m.modality}"] = 1.0
    for kind in m.framing.kinds:
        out[f"frame_{kind}"] = 1.0
    out["frame_question"] = _flag(m.framing.question)
    for note in m.notes & set(_NOTES):
        out[f"note_{note}"] = 1.0
    span = doc.sentence_of(m.anchor.start)
    lo, hi = doc.clause(m.anchor.start)
    out.update(
        act_weak=_flag(m.weak),
        act_in_lead=_flag(span.index in lead),
        act_fallback=_flag(m.anchor.label == "cue:none"),
        act_figure=_flag(any(ch.isdigit() for ch in doc.text[lo:hi])),
        act_additional=_flag(doc.has("cue:additional", lo, hi)),
    )
    return out


def evidence_tokens(a: Analysis) -> list[str]:
    """Lower-case words of the chosen act's sentence (characters, for Chinese and Japanese),
    the act's cue marked with a prefix ("act:envoyé")."""
    m = a.main
    if m is None:
        return []
    doc = a.doc
    span = doc.sentence_of(m.anchor.start)
    text = doc.text[span.start : span.end].lower()
    if _CJK_RE.search(text):
        tokens = [ch for ch in text if not ch.isspace()]
    else:
        tokens = _WORD_RE.findall(text)
    cue = doc.text[m.anchor.start : m.anchor.end].lower()
    return [*tokens, f"act:{cue}"] if cue else tokens
