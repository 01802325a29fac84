"""Event detection: what an article reports about Russia–DPRK relations, with figures and framing.

:func:`detect_article` is pure (no I/O): one scan of the text with the knowledge matcher, then
rules over the hits. It returns a :class:`Detection` with the relevance and the events found,
each with its type, modality (``new``, ``background``, ``speculative``, ``denied``), figures,
force, place, date, actors, claimant and the evidence sentence. See ``docs/detection.md``.

How the main event is chosen: every event cue (a movement verb paired with a personnel force, a
transfer verb paired with a weapon, an act on an agreement instrument, a visit, casualties,
sanctions...) becomes a candidate scored by its strength and its place in the article (title and
lead weigh more). The framing of each candidate is read around its cue: a denial in its
sentence, a conditional or a plan just before it, a recalled past date or a recap word near it.
A recap (``background``) candidate weighs less than a fresh one, so an article about a
ratification that recalls the signing is about the ratification.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from alerts.dates import DateMention, resolve_dates
from alerts.figures import Quantity, extract_quantities
from alerts.knowledge import Hit, Knowledge, default_knowledge
from alerts.language import detect_language
from alerts.relevance import (
    AliasMatch,
    Relevance,
    Span,
    assess_relevance,
    sentence_of,
    side_of,
    split_sentences,
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

EVENT_TYPES = (
    "deployment",
    "agreement",
    "arms_transfer",
    "visit",
    "casualties",
    "sanctions",
    "other",
)
ALERT_TYPES = frozenset({"deployment", "agreement"})
MODALITIES = ("new", "background", "speculative", "denied")

# News puts its event in the lead: only the first ~3,000 words are read, which bounds the cost
# of a pathological page (a 100,000-character live blog).
MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 1_000
# A date this many days before publication makes a cue a recap.
BACKGROUND_AGE_DAYS = 21
# A reported act dated within this many days is a fresh disclosure, not a recap.
DISCLOSURE_AGE_DAYS = 400
# Below this effective score no specific type is claimed: the event is "other".
MIN_TYPE_SCORE = 1.0

_TYPE_LABELS = {
    "deployment": "Deployment",
    "agreement": "Agreement",
    "arms_transfer": "Arms transfer",
    "visit": "Visit",
    "casualties": "Casualties",
    "sanctions": "Sanctions",
    "other": "Other",
}
_SIDE_ADJECTIVES = {"KP": "North Korean", "RU": "Russian"}
_STAGE_OF_CUE = {
    "cue:agree_sign": "signature",
    "cue:agree_accord": "signature",
    "cue:agree_ratify": "ratification",
    "cue:agree_enact": "enactment",
    "cue:agree_in_force": "entry into force",
}
# Later stages outrank earlier ones named in the same report ("signed the law ratifying…").
_STAGE_BONUS = {"signature": 0.0, "ratification": 0.2, "enactment": 0.6, "entry into force": 0.7}

_CLAUSE_BREAK_RE = re.compile(
    r"[;:]\s|\s[—–]\s|(?<=[며고]),\s|,\s(?=(?:which|who|where|ce qui|qui|où|lo que|que|что|кото\w+|що|які|яка|was|die|das"
    r"|um|pour|afin|in order|чтобы|para)\b)"
)
# "agreed to further expand military cooperation": a wish, not an arrangement.
_VAGUE_AGREEMENT_RE = re.compile(
    r"[\s,]+(?:on\s+|to\s+|de\s+|d'|sur\s+)?(?:\w+\s+){0,2}?"
    r"(?:expand\w*|deepen\w*|strengthen\w*|develop\w*|boost\w*|enhanc\w*|intensif\w*|"
    r"renforcer|développer|approfondir|élargir|intensifier|укреп\w*|развива\w*|расшир\w*|"
    r"ausbauen|vertiefen|ampliar|profundizar|fortalecer)"
    r"\s+(?:\w+\s+){0,3}?(?:cooperation|ties|relations|partnership|coopération|liens|relations|"
    r"partenariat|сотрудничеств\w*|связ\w*|отношени\w*|협력|관계|Zusammenarbeit|Beziehungen|"
    r"cooperación|relaciones|lazos)",
    re.IGNORECASE,
)
# Signing proper (a head of state signing a law enacts it; a chamber adopting it ratifies).
_SIGNING_RE = re.compile(r"sign|подпис|unterzeich|firm|assin|podpis|підпис|서명", re.IGNORECASE)
# "an agreement on the dispatch of…", "un protocole sur l'envoi de…": what follows is its subject.
_ABOUT_RE = re.compile(
    r"(?:\s+\S+){0,3}?\s+(?:on|about|concerning|regarding|for|sur|concernant|relatif à|pour|"
    r"о|об|über|sobre)\s+(?:the\s+|l['’]|la\s+|le\s+|les\s+|des\s+|el\s+|la\s+)?",
    re.IGNORECASE,
)
_NUMBER_HINT_RE = re.compile(
    r"\d|\b(?:hundreds?|thousands?|cents|mille|milliers|тысяч\w*|сот\w*|Tausend\w*|mil|"
    r"dozens?|douzaines?|dizaines?|centaines?)\b|[천만백]\s?명",
    re.IGNORECASE,
)
_NAME_BEFORE_RE = re.compile(r"(?<![.!?]\s)\b[A-Z][a-zà-ÿ]+\s$")
_SINCE_RE = re.compile(
    r"(?:\bsince|\bdepuis|\bdesde|\bseit|\bс|\bз|\bod)\s*(?:l[ae']\s*|the\s+|el\s+)?$|^(?:since|depuis|desde|seit)\b",
    re.IGNORECASE,
)
_ONE_TIME_RE = re.compile(r"\s*(?:time|fois|vez|mal\b|раз|번)", re.IGNORECASE)
_PARTITIVE_RE = re.compile(
    r"\s+(?:of(?:\s+the)?|des|de|d'|de\s+los|de\s+las|von|из|з)\s+", re.IGNORECASE
)
_NOT_A_COUNT_RE = re.compile(
    r"\s*-?\s*(?:jours?|days?|tägig\w*|tage\w*|km\b|kilom\w*|ans?\b|years?|mois\b|months?|"
    r"heures?|hours?|%|pour ?cent|percent|kt\b|kilotonnes?|kilotons?|mm\b|wagons?|e\b|ème|th\b|"
    r"anniversaire|anniversary|articles?\b|lat\b|лет\b|дней|часов|км\b|일간|년|시간|월|일\b|"
    r"semaines?|weeks?|wochen|недел\w*|pays|countries|nations|sides|côtés|parties|leaders|"
    r"dirigeants|présidents|presidents|hommes\s+ont|men\s+(?:have|had)|chefs|"
    r"años?\b|meses\b|semanas\b|días\b|horas\b|anni\b|mesi\b|giorni\b|"
    r"года?\b|годы\b|месяц\w*|Jahren?\b|Monate\w*|Tagen?\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DetectedEvent:
    event_type: str
    modality: str  # 'new' | 'background' | 'speculative' | 'denied'
    low: int | None
    high: int | None
    qualifier: str | None
    unit: str | None
    force: str | None
    place: str | None
    event_date: date | None
    date_end: date | None
    date_precision: str | None
    actors: tuple[str, ...]
    claimant: str | None
    additional: bool
    evidence: str
    confidence: float

    @property
    def alert_worthy(self) -> bool:
        return self.event_type in ALERT_TYPES and self.modality == "new"

    @property
    def figure(self) -> int | None:
        """The single figure the report states: the upper bound of "up to N", else the lower."""
        if self.low is None and self.high is None:
            return None
        if self.qualifier == "up_to" or self.low is None:
            return self.high
        return self.low

    def summary(self) -> str:
        """One-line headline, e.g. "Deployment: 12,000 North Korean troops to Kursk (claimed by NIS)"."""
        label = _TYPE_LABELS.get(self.event_type, self.event_type.title())
        parts: list[str] = []
        figure = _format_figure(self)
        if figure:
            parts.append(figure)
        force = _force_words(self.force) or (self.unit if figure and self.unit else "")
        origin = _origin(self)
        if self.event_type in ("deployment", "arms_transfer", "casualties") and (force or figure):
            if origin:
                parts.append(origin)
            parts.append(force or "")
        elif force:
            parts.append(force)
        if self.place:
            joiner = "to" if self.event_type == "deployment" else "in"
            parts.append(f"{joiner} {self.place}")
        body = " ".join(p for p in parts if p).strip()
        if not body:
            body = " – ".join(_SIDE_ADJECTIVES.get(a, a) for a in self.actors if a in ("RU", "KP"))
        text = f"{label}: {body}" if body else label
        if self.modality != "new":
            text += f" [{self.modality}]"
        if self.claimant:
            text += f" (claimed by {self.claimant})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "modality": self.modality,
            "low": self.low,
            "high": self.high,
            "qualifier": self.qualifier,
            "unit": self.unit,
            "force": self.force,
            "place": self.place,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "date_precision": self.date_precision,
            "actors": list(self.actors),
            "claimant": self.claimant,
            "additional": self.additional,
            "evidence": self.evidence,
            "confidence": self.confidence,
            "alert_worthy": self.alert_worthy,
            "summary": self.summary(),
        }


@dataclass(frozen=True)
class Detection:
    language: str | None
    relevance: Relevance
    events: tuple[DetectedEvent, ...]

    @property
    def main_event(self) -> DetectedEvent | None:
        return self.events[0] if self.events else None

    @property
    def alert_worthy(self) -> bool:
        """The article should raise a new-event alert (before checking what is already stored)."""
        main = self.main_event
        return self.relevance.relevant and main is not None and main.alert_worthy

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "relevant": self.relevance.relevant,
            "score": self.relevance.score,
            "reasons": [
                {
                    "entity": r.entity,
                    "kind": r.kind,
                    "alias": r.alias,
                    "field": r.field,
                    "start": r.start,
                    "end": r.end,
                }
                for r in self.relevance.reasons
            ],
            "events": [e.to_dict() for e in self.events],
        }


# --------------------------------------------------------------------------------------------
# Internal structures
# --------------------------------------------------------------------------------------------


@dataclass
class _Article:
    text: str
    spans: list[Span]
    hits: list[Hit]
    knowledge: Knowledge
    language: str | None
    published: date | None
    clause_breaks: list[int]
    by_label: dict[str, list[Hit]] = field(default_factory=dict)
    by_group: dict[str, list[Hit]] = field(default_factory=dict)
    side_hits: list[tuple[Hit, str]] = field(default_factory=list)
    side_starts: list[int] = field(default_factory=list)
    act_hits: list[Hit] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    _quantities: dict[int, list[Quantity]] = field(default_factory=dict)
    _dates: dict[int, list[DateMention]] = field(default_factory=dict)
    _header: bool | None = None

    # Figures and dates are read only in the sentences that matter, once each.
    def quantities_in(self, span: Span) -> list[Quantity]:
        found = self._quantities.get(span.index)
        if found is None:
            part = self.text[span.start : span.end]
            found = [
                replace(q, start=q.start + span.start, end=q.end + span.start)
                for q in extract_quantities(part, self.language)
            ]
            self._quantities[span.index] = found
        return found

    def dates_in(self, span: Span) -> list[DateMention]:
        if self.published is None:
            return []
        found = self._dates.get(span.index)
        if found is None:
            part = self.text[span.start : span.end]
            found = [
                replace(m, start_idx=m.start_idx + span.start, end_idx=m.end_idx + span.start)
                for m in resolve_dates(part, self.language, self.published)
            ]
            self._dates[span.index] = found
        return found

    def clause(self, pos: int) -> tuple[int, int]:
        span = sentence_of(self.spans, pos)
        start, end = span.start, span.end
        i = bisect_right(self.clause_breaks, pos)
        if i and self.clause_breaks[i - 1] > start:
            start = self.clause_breaks[i - 1]
        if i < len(self.clause_breaks) and self.clause_breaks[i] < end:
            end = self.clause_breaks[i]
        return start, end

    def in_range(self, hits: Sequence[Hit], start: int, end: int) -> list[Hit]:
        """Hits of a start-sorted list lying inside [start, end)."""
        if len(hits) < 8:
            return [h for h in hits if h.start >= start and h.end <= end]
        i = bisect_left(hits, start, key=_start_of)
        j = bisect_left(hits, end, key=_start_of)
        return [h for h in hits[i:j] if h.end <= end]

    def sides_near(self, pos: int, sides: set[str], window: int) -> bool:
        """A hit of one of ``sides`` starts within ``window`` characters of ``pos``."""
        i = bisect_left(self.side_starts, pos - window)
        j = bisect_right(self.side_starts, pos + window)
        return any(self.side_hits[k][1] in sides for k in range(i, j))


def _start_of(hit: Hit) -> int:
    return hit.start


@dataclass
class _Candidate:
    event_type: str
    score: float
    anchor: Hit
    partner: Hit | None = None
    stage: str | None = None
    weak: bool = False
    claim_needed: bool = False  # a stated presence is news only when someone claims it
    modality: str = "new"
    raw: float = 0.0
    effective: float = 0.0
    settled: bool = False


def _force_of(hit: Hit) -> str:
    return hit.label.partition(":")[2]


def _distance(hit: Hit, anchor: Hit, verb_final: bool = False) -> int:
    """Characters between two hits, with a small preference for the usual object side."""
    if hit.start >= anchor.end:
        return hit.start - anchor.end + (25 if verb_final else 0)
    if hit.end <= anchor.start:
        return anchor.start - hit.end + (0 if verb_final else 5)
    return 0


def _nearest(
    hits: Sequence[Hit],
    anchor: Hit,
    lo: int,
    hi: int,
    after: int = 80,
    before: int = 80,
    verb_final: bool = False,
) -> Hit | None:
    """The hit closest to ``anchor`` inside [lo, hi); objects follow verbs unless ``verb_final``."""
    best: Hit | None = None
    best_d = 10**9
    for h in hits:
        if h.start < lo or h.end > hi or h is anchor:
            continue
        if h.start >= anchor.end:
            d = h.start - anchor.end + (25 if verb_final else 0)
            if d > after:
                continue
        elif h.end <= anchor.start:
            d = anchor.start - h.end + (0 if verb_final else 5)
            if d > before:
                continue
        else:
            d = 0  # one word is both ("파병": sending troops)
        if d < best_d:
            best, best_d = h, d
    return best


_GENERIC_FORCES = frozenset({"force:troops", "force:people"})

# A relative clause opened right after its noun: "…10 000 soldats, qui ont été envoyés…",
# "…Soldaten aus, die … geschickt wurden" (a separable particle may sit between).
_RELATIVE_OPEN_RE = re.compile(
    r"(?:who|which|that|qui|que|die|der|welche|кото\w+|які|яких|що|quienes)\b", re.IGNORECASE
)
_ANTECEDENT_GAP_RE = re.compile(r"\s*(?:\w{1,4}\s*)?,\s*")


def _antecedent(art: _Article, forces: Sequence[Hit], lo: int, verb: Hit) -> Hit | None:
    """The personnel noun a relative clause (starting at ``lo``) is about, for a verb in it."""
    if verb.start - lo > 120 or not _RELATIVE_OPEN_RE.match(art.text, lo):
        return None
    for f in forces:
        if f.end > lo or lo - f.end > 40:
            continue
        if _ANTECEDENT_GAP_RE.fullmatch(art.text, f.end, lo):
            return f
        for h, _side in art.side_hits:
            # "ouvriers nord-coréens, qui…": a demonym after the noun
            if (
                f.end < h.start
                and h.end <= lo
                and not art.text[f.end : h.start].strip()
                and _ANTECEDENT_GAP_RE.fullmatch(art.text, h.end, lo)
            ):
                return f
    return None


def _specific_force(forces: Sequence[Hit], chosen: Hit, text: str) -> Hit:
    """ "bâtisseurs militaires", "military engineers": of two adjacent force words, the
    specific one names the force."""
    if chosen.label not in _GENERIC_FORCES:
        return chosen
    for h in forces:
        if h.label in _GENERIC_FORCES or h is chosen:
            continue
        if -3 <= h.start - chosen.end <= 3 or -3 <= chosen.start - h.end <= 3:
            return h
        if 0 < h.start - chosen.end <= 10 and _FORCE_LINK_RE.fullmatch(text, chosen.end, h.start):
            return h  # "militaires du génie", "soldiers of the engineering corps"
    for g in forces:
        # "un contingent d'environ 5 000 militaires du génie": the head noun is named later
        if (
            g.label in _GENERIC_FORCES
            and 0 < g.start - chosen.end <= 30
            and not any(c in text[chosen.end : g.start] for c in ",;.:")
        ):
            named = _specific_force([h for h in forces if h is not chosen], g, text)
            if named is not g:
                return named
    return chosen


_FORCE_LINK_RE = re.compile(r"\s+(?:du|de la|des|de|of the|of|del|de los|der)\s+", re.IGNORECASE)


def _sentence_weight(span: Span, first_body: int) -> float:
    if span.in_title:
        return 1.4
    if span.index == first_body:
        return 1.5
    if span.index == first_body + 1:
        return 1.0
    return 0.8


# --------------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------------


def _candidates(art: _Article) -> list[_Candidate]:
    g = art.by_group
    forces_personnel = g.get("personnel", [])
    forces_weapons = [w for w in g.get("weapons", []) if not _names_a_facility(art.text, w)]
    forces_instrument = g.get("instrument", [])
    forces_link = g.get("link", [])
    people = [h for h, _side in art.side_hits if _entity_kind(art, h) == "person"]
    places = [h for h, _side in art.side_hits if _entity_kind(art, h) == "place"]
    out: list[_Candidate] = []

    def near_side(hit: Hit, sides: set[str], window: int) -> bool:
        return art.sides_near(hit.start, sides, window)

    def captives(f: Hit) -> list[Hit]:
        return [
            c
            for c in art.by_label.get("cue:other", [])
            if 0 <= c.start - f.end <= 40 or 0 <= f.start - c.end <= 20
        ]

    vf = art.language in ("ko", "ja")
    deploy_cues = [(v, 3.0) for v in art.by_label.get("cue:deploy_verb", [])]
    deploy_cues += [(v, 2.4) for v in art.by_label.get("cue:deploy_state", [])]
    deploy_cues += [(v, 2.3) for v in art.by_label.get("cue:deploy_presence", [])]
    returning = art.by_label.get("cue:returning", [])
    for v, base in deploy_cues:
        lo, hi = art.clause(v.start)
        if any(
            0 <= v.start - i.end <= 40 and _ABOUT_RE.fullmatch(art.text, i.end, v.start)
            for i in forces_instrument
        ):
            continue  # "un protocole sur l'envoi de médecins": the agreement's subject
        f = _nearest(forces_personnel, v, lo, hi, verb_final=vf)
        if f is None:
            f = _antecedent(art, forces_personnel, lo, v)
        if f is None:
            continue
        f = _specific_force(forces_personnel, f, art.text)
        if _ROLE_IN_RE.search(art.text, max(lo, v.start - 30), v.start) or (
            _ROLE_AT_RE.match(art.text, v.start)
            and any(0 < w.start - v.end <= 14 for w, _b in deploy_cues)
        ):
            continue  # "officers involved in sending troops": who is targeted, not a new act
        if any(_CAPTIVE_RE.fullmatch(art.text, c.start, c.end) for c in captives(f)):
            continue  # "the two captured North Korean soldiers": prisoners, not a deployment
        if any(
            0 <= r.start - f.end <= 12 or 0 <= f.start - r.end <= 5 or r.start <= v.start < r.end
            for r in returning
        ):
            continue  # "soldats revenus de Koursk": coming home
        w = _nearest(forces_weapons, v, lo, hi, verb_final=vf)
        if w is not None and (0 <= f.start - w.end <= 2 or f.start <= w.start < f.end):
            w = None  # "air defence specialists", "artillery crews": the weapon qualifies people
        if w is not None and _distance(w, v, vf) < _distance(f, v, vf):
            continue  # "sent shells": the verb's object is a weapon
        score = base - min(abs(f.start - v.start), 120) / 240
        if near_side(f, {"KP"}, 40):
            score += 1.2
        presence = v.label == "cue:deploy_presence"
        if presence and any(lo <= r.start < hi for r in returning):
            continue  # "présents en Russie, ne participent plus aux combats": leaving
        out.append(_Candidate("deployment", score, v, f, claim_needed=presence))
    for f in forces_personnel:
        if near_side(f, {"KP"}, 30) and not any(
            _CAPTIVE_RE.fullmatch(art.text, c.start, c.end) for c in captives(f)
        ):
            out.append(_Candidate("deployment", 1.2, f, f, weak=True))
    for t in art.by_label.get("cue:transfer_verb", []):
        lo, hi = art.clause(t.start)
        w = _nearest(forces_weapons, t, lo, hi, verb_final=vf)
        if w is None:
            continue
        f = _nearest(forces_personnel, t, lo, hi, verb_final=vf)
        if f is not None and (
            _distance(f, t, vf) < _distance(w, t, vf) or f.start <= w.start < f.end
        ):
            continue  # "sent workers", "sent artillery crews": the verb's object is people
        score = 3.0 - min(abs(w.start - t.start), 120) / 240
        if near_side(t, {"KP", "RU"}, 120):
            score += 0.3
        out.append(_Candidate("arms_transfer", score, t, w))
    for w in forces_weapons:
        if near_side(w, {"KP"}, 30) and near_side(w, {"RU", "UA"}, 200):
            out.append(_Candidate("arms_transfer", 1.5, w, w, weak=True))
    for w in art.by_label.get("cue:weapon_origin", []):
        out.append(_Candidate("arms_transfer", 2.0, w, w))
    laws = art.by_label.get("cue:law", [])
    ratify_verbs = art.by_label.get("cue:agree_ratify", [])
    agreement_objects = [*g.get("object", []), *forces_link]
    for label, cue_stage in _STAGE_OF_CUE.items():
        for a in art.by_label.get(label, []):
            if (
                art.text[a.start : a.end].lower() in ("sign", "signs", "signe", "signes")
                and _SIGN_NOUN_RE.search(art.text, max(0, a.start - 12), a.start)
                and _SIGN_NOUN_AFTER_RE.match(art.text, a.end)
            ):
                continue  # "a sign of the deepening alliance": the noun, not signing
            lo, hi = art.clause(a.start)
            stage = cue_stage
            if (
                label == "cue:agree_enact"
                and _DECREE_RE.match(art.text, a.start)
                and any(lo <= r.start < hi for r in ratify_verbs)
            ):
                continue  # "a ratifié par décret": the verb says the stage
            if (
                label == "cue:agree_sign"
                and _SIGNING_RE.match(art.text, a.start)
                and any(
                    a.end < w.start <= a.end + 30
                    or (vf and 0 <= a.start - w.end <= 8)
                    # German puts the participle last: "hat das Gesetz … unterzeichnet"
                    or (art.language == "de" and lo <= w.start and 0 <= a.start - w.end <= 90)
                    for w in laws
                )
            ):
                stage = "enactment"  # "a signé samedi la loi de ratification"
            inst = _nearest(forces_instrument, a, lo, hi, after=120, before=120)
            if inst is None and label in ("cue:agree_sign", "cue:agree_accord"):
                # "agreed on a second road crossing": a concrete object is an arrangement
                inst = _nearest(agreement_objects, a, lo, hi, after=80, before=80, verb_final=vf)
            bare = 3.0 if label == "cue:agree_accord" else 1.3  # "agreed to…" is itself the act
            score = (4.0 if inst is not None else bare) + _STAGE_BONUS[stage]
            vague = (
                inst is None
                and label == "cue:agree_accord"
                and _VAGUE_AGREEMENT_RE.match(art.text, a.end) is not None
            )  # "agreed to expand cooperation": a wish, not an arrangement
            out.append(_Candidate("agreement", score, a, inst, stage, weak=vague))
    for a in art.by_label.get("cue:link_start", []):
        lo, hi = art.clause(a.start)
        link = _nearest(forces_link, a, lo, hi)
        if link is None and _PASSIVE_BEFORE_RE.search(art.text, max(lo, a.start - 14), a.start):
            # a passive ("La voie ferrée … reliant X à Y a été inaugurée") puts its subject far back
            link = _nearest(forces_link, a, lo, hi, after=0, before=140)
        if link is None:
            continue
        score = 3.6  # a concrete link says more than a bare "agreed"
        if (
            _INFRASTRUCTURE_RE.fullmatch(art.text, link.start, link.end)
            and _OPENING_RE.match(art.text, a.start)
            and not art.in_range(art.by_label.get("cue:agree_sign", []), lo, hi)
            and not art.in_range(art.by_label.get("cue:agree_accord", []), lo, hi)
        ):
            # "the rebuilt railway reopened": a piece of infrastructure opens (the README's
            # `other`, like the Tumen bridge); a service resumed on a date is an arrangement.
            out.append(_Candidate("other", score, a, link))
            continue
        out.append(_Candidate("agreement", score, a, link, "arrangement"))
    for inst in forces_instrument:
        out.append(_Candidate("agreement", 0.8, inst, inst, None, weak=True))
    for v in art.by_label.get("cue:visit", []):
        if _TOOK_DECISION_RE.search(art.text, max(0, v.start - 12), min(len(art.text), v.end + 14)):
            continue  # "решение принял Ким": took a decision, received nobody
        lo, hi = art.clause(v.start)
        who = _nearest(people, v, lo, hi, after=100, before=140)
        where = _nearest(places, v, lo, hi, after=60, before=100)
        score = 3.0 if who is not None else (1.6 if where is not None else 0.9)
        # "a freighter arrived at Nampho", "des touristes pour un séjour": no visitor named
        travel = (
            who is None
            and _TRAVEL_RE.match(art.text, v.start) is not None
            and _ROLE_RE.search(art.text, lo, hi) is None
        )
        out.append(_Candidate("visit", 0.9 if travel else score, v, where, weak=travel))
    for c in art.by_label.get("cue:casualty", []):
        lo, hi = art.clause(c.start)
        f = _nearest(forces_personnel, c, lo, hi, after=60, before=80, verb_final=vf)
        q = bool(_NUMBER_HINT_RE.search(art.text, lo, hi))
        score = (3.0 if f is not None else (2.2 if q else 1.4)) + (0.3 if q else 0.0)
        if f is not None and near_side(f, {"KP"}, 40):
            score += 0.8
        out.append(_Candidate("casualties", score, c, f))
    for s in art.by_label.get("cue:sanction_strong", []):
        out.append(_Candidate("sanctions", 2.6, s))
    for s in art.by_label.get("cue:sanction_weak", []):
        out.append(_Candidate("sanctions", 0.7, s))
    for o in art.by_label.get("cue:other", []):
        out.append(_Candidate("other", 1.6, o))
    # "troops deployed to Russia have suffered 3,000 casualties", "파병된 북한군 사상자": the
    # participle describes the force whose losses are the news.
    hurt_starts = {c.partner.start for c in out if c.event_type == "casualties" and c.partner}
    for cand in out:
        if cand.event_type != "deployment" or cand.partner is None:
            continue
        v, f = cand.anchor, cand.partner
        attributive = (
            (
                f.start in hurt_starts
                and 0 <= v.start - f.end <= 16
                and "," not in art.text[f.end : v.start]  # "soldats nord-coréens déployés"
                and _PARTICIPLE_RE.search(art.text, v.start, v.end) is not None
            )
            or (
                vf
                and art.text[v.end - 1 : v.end] in ("된", "한", "た")
                and any(0 <= h - v.end <= 3 for h in hurt_starts)
            )
        )
        if attributive:
            cand.score -= 2.0
    return out


_PASSIVE_BEFORE_RE = re.compile(
    r"\b(?:a été|ont été|est|sont|was|were|has been|have been|wurde|wurden|fue|был[аои]?)\s+$",
    re.IGNORECASE,
)

_PARTICIPLE_RE = re.compile(r"(?:ed|és?|ées?|ados?|adas?|нные|нных|ten|ert)$", re.IGNORECASE)

# A clause of time opened by "since" with its own subject recalls an earlier act.
_SINCE_CLAUSE_RE = re.compile(
    r"\b(?:since|ever since|depuis que|desde que|с тех пор как|seitdem|seit)\s+"
    r"(?:the|its|their|his|her|les|leurs|ses|los|sus|die|[A-ZÀ-Ý][\w\-]*['’]s?)\s+"
    r"(?:[^\s,.;:0-9]+\s+){0,3}$"
)

# Captured soldiers are prisoners of war, not a deployment.
_CAPTIVE_RE = re.compile(
    r"captured|capturés?|capturées?|prisoners?|prisonniers?|POWs|пленн\w*|capturados?|prisioneros?|"
    r"gefangen\w*|Kriegsgefangen\w*|포로",
    re.IGNORECASE,
)
# "officers involved in sending troops", "impliqués dans l'envoi de": the role of whom a
# measure targets.
_ROLE_IN_RE = re.compile(
    r"(?:involved|implicated|complicit|role|responsible|impliqué\w*|responsables?|rôle|"
    r"причастн\w*|implicad\w*|responsables?|beteiligt\w*)\s+(?:in|for|dans|en|de|к|an)\s+"
    r"(?:the\s+|l['’]\s*|le\s+|la\s+|les\s+|el\s+|la\s+|der\s+)?$",
    re.IGNORECASE,
)

_ROLE_AT_RE = re.compile(
    r"(?:involved|implicated|impliqué\w*|причастн\w*|implicad\w*|beteiligt\w*)\s+(?:in|dans|en|к|an)\b",
    re.IGNORECASE,
)

# Russian "принял" receives a visitor, unless it takes a decision, a law or part in something.
_TOOK_DECISION_RE = re.compile(
    r"(?:решени\w*|участи\w*|закон\w*|мер[уы]|резолюци\w*)\s+принял\w*|"
    r"принял\w*\s+(?:решени\w*|участи\w*|закон\w*|мер[уы]|резолюци\w*)",
    re.IGNORECASE,
)

# Travel words make a visit only with a named person: ships and tourists also arrive.
_TRAVEL_RE = re.compile(
    r"arriv|прибы|прибув|lleg|séjour|voyage|trip|journey|travel|viaj|도착|angekommen|eingetroffen",
    re.IGNORECASE,
)

# Office holders and delegations: a visitor even when unnamed in the tables.
_ROLE_RE = re.compile(
    r"president|minister|speaker|chairman|chairwoman|secretary|delegation|envoy|"
    r"président|ministre|délégation|émissaire|envoyé spécial|"
    r"президент|министр|председател|глав[аы]\b|делегаци|спикер|посланник|"
    r"Präsident|Minister|Delegation|presidente|ministro|delegación|대통령|장관|위원장|대표단|특사",
    re.IGNORECASE,
)

# Links that are infrastructure rather than a service, and the verbs that open them.
_INFRASTRUCTURE_RE = re.compile(
    r"rail(?:way)? link|railway line|railway|rail line|voie ferrée|ligne ferroviaire|"
    r"железн\w* дорог\w*|железнодорожн\w* лини\w*|Bahnstrecke\w*|línea ferroviaria",
    re.IGNORECASE,
)
_OPENING_RE = re.compile(
    r"open|reopen|inaugur|rouvr|ouvert|réouverture|открыт|eröffne|개통", re.IGNORECASE
)


# "the Alabuga drone plant", "l'usine de drones", "드론 공장", "submarine technology": the weapon
# only qualifies a place of work or a know-how, which is not an item handed over.
_FACILITY_AFTER_RE = re.compile(
    r"\s*(?:(?:plants?|factory|factories|facility|facilities|works|maker|manufacturer|"
    r"technolog\w*|propulsion|know-how|expertise|design\w*|завод\w*|технолог\w*|Werk\w*|"
    r"Fabrik\w*|Technolog\w*)\b|공장|기술)",
    re.IGNORECASE,
)
_FACILITY_BEFORE_RE = re.compile(
    r"(?:usines?|fabriques?|sites?|chaînes?|ateliers?|plantas?|fábricas?|заводе?|завод\w*|"
    r"предприяти\w*|цех\w*|technologies?|technologie|tecnología|технологи\w*)\s+(?:de\s+|d'|d’|по производству\s+)?(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _names_a_facility(text: str, weapon: Hit) -> bool:
    return bool(
        _FACILITY_AFTER_RE.match(text, weapon.end)
        or _FACILITY_BEFORE_RE.search(text, max(0, weapon.start - 40), weapon.start)
    )


def _entity_kind(art: _Article, hit: Hit) -> str:
    kind, _, ident = hit.label.partition(":")
    if kind != "entity":
        return ""
    entity = art.knowledge.entities.get(ident)
    return entity.kind if entity is not None else ""


# --------------------------------------------------------------------------------------------
# Modality
# --------------------------------------------------------------------------------------------


def _modality(art: _Article, cand: _Candidate) -> str:
    a = cand.anchor
    span = sentence_of(art.spans, a.start)
    lo, hi = art.clause(a.start)
    labels = art.by_label
    sentence_confirm = bool(art.in_range(labels.get("cue:confirm", []), span.start, span.end))
    voids = labels.get("cue:denial_void", [])
    for d in art.in_range(labels.get("cue:denial", []), span.start, span.end):
        if any(v.start <= d.start and d.start - v.end <= 45 for v in voids):
            continue
        if cand.event_type != "agreement" and _NEGATED_SIGNING_RE.search(art.text, d.start, d.end):
            continue  # "met for three hours; no document was signed": only the signing is denied
        if any(v.start <= d.start < v.end for v in voids):
            continue
        return "denied"
    if _SINCE_CLAUSE_RE.search(art.text, max(span.start, a.start - 60), a.start):
        return "background"  # "the first taken alive since Pyongyang's troops entered the fight"
    for r in art.in_range(labels.get("cue:reaction", []), lo, hi):
        if r.start < a.start:
            if _claimed_by_accusation(art, r, a, span.start):
                continue  # "Seoul accuses Pyongyang of having sent 1,500 troops": a claim of the act
            return "background"  # "summoned the ambassador to protest the treaty signed…"
    if art.text[span.start : span.end].rstrip().endswith(("?", "？")):
        # A question is not a fact; a denial right after it answers it.
        nxt = next((s for s in art.spans if s.index == span.index + 1), None)
        if nxt is not None and art.in_range(labels.get("cue:denial", []), nxt.start, nxt.end):
            return "denied"
        return "speculative"
    # Korean (and Japanese) put modality at the end of the sentence: "서명할 예정이다".
    final_modality = art.language in ("ko", "ja")
    link_agreement = cand.event_type == "agreement" and bool(
        cand.stage == "arrangement" or art.in_range(art.by_group.get("link", []), lo, hi)
    )
    # German puts the infinitive at the end of the clause, far from its modal ("könnte … schicken").
    reach_back = (a.start - lo) if art.language in ("de", "nl") else 90
    hedges = [
        h
        for h in art.in_range(labels.get("cue:speculative", []), span.start, span.end)
        if not (art.text[h.start : h.end] == "May" and h.start > span.start + 1)
        and _HEDGE_LANGUAGE.get(art.text[h.start : h.end].lower(), art.language) == art.language
        and not any(d.start <= h.start < d.end for d in labels.get("cue:denial", []))
    ]  # "since May": the month, not the modal; "drone plant": not German "plant" (plans)
    futures = art.in_range(labels.get("cue:future", []), span.start, span.end)
    # A loss estimate with its figure and its source is a claim, whatever the mood of its verb
    # (French and Spanish report casualty figures in the conditional: "auraient été tués").
    attributed = (
        cand.event_type == "casualties"
        and bool(art.in_range(labels.get("cue:claim", []), span.start, span.end))
        and _NUMBER_HINT_RE.search(art.text, lo, hi) is not None
    )
    # An officially announced decision to send personnel has taken place, whatever the tense of
    # what it decides ("North Korea will send 6,000 builders, Shoigu announced").
    decided = (
        art.in_range(labels.get("cue:decided_future", []), lo, hi)
        if cand.event_type == "deployment"
        and art.in_range(labels.get("cue:announce", []), span.start, span.end)
        and not art.in_range(labels.get("cue:analysis", []), span.start, span.end)
        and not _MEDIA_SOURCE_RE.search(art.text, span.start, span.end)
        else []
    )
    if any(not any(d.start <= h.start < d.end for d in decided) for h in hedges):
        decided = []  # "will send more, if Moscow houses them": a condition, not a decision
    for s in sorted([*hedges, *futures], key=_start_of):
        if link_agreement and any(f.start <= s.start < f.end for f in futures):
            continue  # "trains will resume on 17 June": an agreed arrangement, not a plan
        if any(d.start <= s.start < d.end for d in decided):
            continue  # the announcement is the act
        if _further_step(art, a, s, span.end):
            continue  # "sent 2,000 troops, and more could follow": the hedge is about the next step
        if attributed and _REPORTED_PAST_RE.match(art.text, s.start):
            continue  # "auraient été tués…, selon Kiev": a reported claim, not a guess
        if _VOTED_RE.search(art.text, max(span.start, s.start - 60), s.start):
            continue  # "voted to ratify": the vote is the act
        if a.label == "cue:none":
            return "speculative"  # no act to anchor on: the lead sentence's hedge frames it
        if lo <= s.start < hi and a.start - reach_back <= s.start <= a.end + 30:
            if s.end <= a.start and _closer_act(art, a, s.end, lo, hi, cue=s):
                continue  # "signed an agreement to resume flights, and … sent workers"
            return "speculative"
        if final_modality and s.start >= a.start:
            return "speculative"
    recaps = art.in_range(labels.get("cue:recap", []), span.start, span.end)
    confirms = art.in_range(labels.get("cue:confirm", []), span.start, span.end)
    if recaps and not any(c.start > recaps[0].start for c in confirms):
        # "…, rappelle cette analyse": the whole sentence is a recap (a confirmation before
        # "noting that" is the main clause's, not the reminder's)
        return "background"
    if not sentence_confirm:
        for b in art.in_range(labels.get("cue:background", []), lo, hi):
            if _SINCE_RE.search(art.text, max(lo, b.start - 12), b.start):
                continue  # "shipped 20,000 containers since last year": a running total
            if _EXCHANGE_RE.fullmatch(art.text, b.start, b.end):
                if b.start > a.start if not final_modality else b.end < a.start:
                    continue  # "received jets in exchange for the troops": the main act is news
                if abs(a.start - b.end) <= 60 or abs(b.start - a.end) <= 60:
                    return "background"  # "…for the troops it sent": the price, context
            if _closer_act(art, a, b.start, lo, hi, nouns=True, cue=b):
                continue  # "last year's treaty", "in exchange for the troops": about another thing
            if a.start - 60 <= b.start <= a.end + 50 and not (b.start <= a.start < b.end):
                return "background"
            if b.start <= a.start < b.end and b.end > a.end:
                # the cue is part of a recap phrase ("signé le 19 juin")
                return "background"
        for g in art.in_range(labels.get("cue:gratitude", []), lo, hi):
            if a.start - 80 <= g.start < a.start:
                return "background"  # "thanked Kim for the soldiers sent"
        if art.published is not None and not any(lo <= f.start < hi for f in futures):
            # (a date in a clause about the future is a start date, however it was resolved)
            limit = art.published - timedelta(days=BACKGROUND_AGE_DAYS)
            # A recent act first disclosed now ("JCS said North Korea sent 3,000 more troops in
            # January") is news: the date alone does not make it a recap.
            disclosed = _fresh_disclosure(art, cand, span)
            recent = art.published - timedelta(days=DISCLOSURE_AGE_DAYS)
            for m in art.dates_in(span):
                if m.start_idx < lo or m.end_idx > hi:
                    continue
                if disclosed and m.end >= recent:
                    continue
                if a.start - 50 <= m.start_idx <= a.end + 60 and m.end < limit:
                    if _closer_act(art, a, m.start_idx, lo, hi, nouns=True):
                        continue  # "ratified the treaty, signed on 19 June": the date is the signature's
                    since = _SINCE_RE.search(art.text, max(lo, m.start_idx - 12), m.start_idx)
                    if since is None and not _SINCE_RE.match(m.text):
                        return "background"
    if _analysis_framing(art):
        return "background"
    return "new"


# A denial that negates a signing or a document denies an agreement, not the meeting it was
# expected at ("se sont entretenus…; aucun document n'a été signé", "합의문은 나오지 않았다").
_NEGATED_SIGNING_RE = re.compile(
    r"sign|accord|agreement|deal|document|statement|trait|protocol|conclu|acuerdo|firm|подпис|"
    r"соглашени|договор|Abkommen|Vereinbarung|unterzeich|서명|체결|채택|나오지",
    re.IGNORECASE,
)


def _negated_detail(art: _Article, cand: _Candidate) -> bool:
    """An agreement denied only by a negated signing nobody claims: a detail of a meeting."""
    span = sentence_of(art.spans, cand.anchor.start)
    if _claimed(art, cand):
        return False
    return any(
        _NEGATED_SIGNING_RE.search(art.text, d.start, d.end)
        for d in art.in_range(art.by_label.get("cue:denial", []), span.start, span.end)
    )


# Hedge words that are other words in other languages: a hedge only in its own language.
_HEDGE_LANGUAGE = {"plant": "de", "soll": "de", "sollen": "de", "prevé": "es"}

# The conditional of reported speech over a past act: "auraient été tués", "aurait perdu",
# "habrían muerto", "teriam sido" (not "pourraient avoir été", "could have", which guess).
_REPORTED_PAST_RE = re.compile(
    r"(?:aurai(?:t|ent)|serai(?:t|ent)|habría(?:n)?|teria(?:m)?)\s+(?:déjà\s+|ya\s+|)"
    r"(?:été\s+|sido\s+)?\w+(?:é|ée|és|ées|i|is|ie|ies|u|us|ue|ues|t|ts|do|da|dos|das)\b",
    re.IGNORECASE,
)
# A coordination after an act, then a hedge about further steps ("…, and more could follow").
_JOIN_RE = re.compile(r"[,;]|\b(?:and|et|y|e|и|und)\b|(?:으며|이며|며|했고|냈고|왔고)(?=\s)")
_FURTHER_RE = re.compile(
    r"\b(?:more|further|others|other troops|d'autres|davantage|plus|más|otros|новые|ещё|еще|другие"
    r"|weitere|altri)\b|추가|증파",
    re.IGNORECASE,
)


def _further_step(art: _Article, a: Hit, s: Hit, end: int) -> bool:
    """Whether hedge ``s`` comes after act ``a`` and speaks of further steps, not of the act."""
    if s.start < a.end:
        return False
    gap = art.text[a.start + 1 : s.start]  # (a Korean cue word may carry its ending: "보냈으며")
    if _JOIN_RE.search(gap) is None:
        return False
    return _FURTHER_RE.search(art.text, a.end, min(end, s.end + 30)) is not None


# "X accuses Y of having sent…": the accusation governs the act (the accused act is the news).
_ACCUSATION_RE = re.compile(
    r"(?:accus\w*|acus\w*|обвин\w*|beschuldigt\w*)\s+(?:[\w\-'’.]+\s+){0,4}?"
    r"(?:of\b|d['’]avoir\b|de haber\b|в том\b|в\s|to have\b)",
    re.IGNORECASE,
)
# An accusation in a subordinate clause is the background of another act ("days after Kyiv
# accused Pyongyang of sending troops", "au moment où Séoul accuse…").
_SUBORDINATE_RE = re.compile(
    r"\b(?:after|as|while|when|since|après|alors que|au moment où|tandis que|depuis que|tras|"
    r"mientras|después de que|после того|когда|пока|nachdem|während)\b",
    re.IGNORECASE,
)


def _claimed_by_accusation(art: _Article, r: Hit, a: Hit, start: int) -> bool:
    """Whether reaction cue ``r`` is a main-clause accusation whose object is act ``a``."""
    m = _ACCUSATION_RE.match(art.text, r.start)
    if m is None or m.end() > a.start:
        return False
    return _SUBORDINATE_RE.search(art.text, start, r.start) is None


# Media and unnamed sources report a plan; they do not announce a decision.
_MEDIA_SOURCE_RE = re.compile(
    r"\b(?:media|press reports?|newspapers?|médias|presse|medios|prensa|СМИ|газет\w*|Medien)\b",
    re.IGNORECASE,
)
_VOTED_RE = re.compile(
    r"\b(?:vot(?:ed|es)|a voté|ont voté|votó|votaron|stimmte|stimmten)(?:\s+\w+){0,4}\s+$",
    re.IGNORECASE,
)

# "in exchange for the troops it sent": what follows is the price, context of the main act.
_EXCHANGE_RE = re.compile(
    r"in exchange for|in return for|en échange de|en contrepartie de|в обмен на|대가로|"
    r"im Gegenzug|a cambio de",
    re.IGNORECASE,
)
_SIGN_NOUN_RE = re.compile(r"\b(?:a|an|the|another|no|any|clear|first|un|une|le|ce)\s+$", re.I)
_SIGN_NOUN_AFTER_RE = re.compile(r"s?\s+(?:of|that|de|du|des|qu)\b", re.I)
# A decree is the instrument of an act, not its stage: "ratified by decree" is a ratification.
_DECREE_RE = re.compile(r"d[ée]cret|decree|указ|decreto|Dekret|정령|대통령령|법령", re.IGNORECASE)

_ACT_LABELS = frozenset(
    {
        "cue:deploy_verb",
        "cue:deploy_state",
        "cue:transfer_verb",
        "cue:agree_sign",
        "cue:agree_accord",
        "cue:agree_ratify",
        "cue:agree_enact",
        "cue:agree_in_force",
        "cue:link_start",
        "cue:visit",
        "cue:casualty",
    }
)


def _closer_act(
    art: _Article,
    anchor: Hit,
    pos: int,
    lo: int,
    hi: int,
    acts: bool = True,
    nouns: bool = False,
    cue: Hit | None = None,
) -> bool:
    """Another act of the clause (or, with ``nouns``, an agreement or a link) stands closer
    to ``pos`` than the anchor does."""
    mine = min(abs(pos - anchor.start), abs(pos - anchor.end))
    others = art.in_range(art.act_hits, lo, hi) if acts else []
    if nouns:
        others = others + art.in_range(art.by_group.get("instrument", []), lo, hi)
        others = others + art.in_range(art.by_group.get("link", []), lo, hi)
    for h in others:
        if h.start < anchor.end and h.end > anchor.start:
            continue  # the anchor itself, or a cue sharing its words
        if cue is not None and h.start < cue.end and h.end > cue.start:
            continue  # an act inside the recap phrase itself ("depuis l'arrivée")
        if min(abs(pos - h.start), abs(pos - h.end)) < mine:
            return True
    return False


def _fresh_disclosure(art: _Article, cand: _Candidate, span: Span) -> bool:
    """A source reports, in this sentence, a dispatch, a transfer or losses as a finite act
    ("Seoul said Pyongyang sent…", "selon Kiev, 4 000 soldats sont entrés…"), not as a
    participle qualifying its noun ("the troops sent in 2024")."""
    a = cand.anchor
    if a.label not in _DISCLOSED_ACTS or cand.weak or not _claimed(art, cand):
        return False
    span = sentence_of(art.spans, a.start)
    if _SUBORDINATE_RE.search(art.text, span.start, a.start):
        return False  # "Since North Korea sent troops in 2024, Seoul has…": a reference point
    p = cand.partner
    single = " " not in art.text[a.start : a.end]
    if p is not None and p.end <= a.start and single and not art.text[p.end : a.start].strip(" ,"):
        if art.language in ("ko", "ja"):
            return True
        # "troupes envoyées": a participle (not verb-final) — unless the verb takes a direct
        # object, which a passive participle cannot: "13,000 North Koreans entered Russia".
        return (
            any(a.end < h.start <= a.end + 1 for h, _side in art.side_hits) and art.language == "en"
        )
    return True


_DISCLOSED_ACTS = frozenset({"cue:deploy_verb", "cue:transfer_verb", "cue:casualty"})
# Subordinators that make the act a reference point for the main clause.
_SUBORDINATE_RE = re.compile(
    r"\b(?:since|after|following|ever since|once|depuis que|depuis qu|après que|après qu|"
    r"dès que|dès qu|lorsque|lorsqu|desde que|después de que|tras|seit|nachdem|после того как|"
    r"с тех пор как)\b",
    re.IGNORECASE,
)


def _claimed(art: _Article, cand: _Candidate) -> bool:
    """Someone says, confirms or estimates it in the candidate's sentence."""
    span = sentence_of(art.spans, cand.anchor.start)
    for label in ("cue:claim", "cue:confirm"):
        if art.in_range(art.by_label.get(label, []), span.start, span.end):
            return True
    return False


# A piece that opens on an anniversary ("Un an après…", "Ten years after…", "Il y a un an
# entrait en vigueur…", "…한 지 1년이 지났다") looks back: its acts are background, except a
# fresh claim with its figure made in a later clause ("A year after…, Seoul estimates…").
_ANNIVERSARY_RE = re.compile(
    r"\W*(?:(?:one|a|two|three|four|five|six|seven|eight|nine|ten|twenty|\d+|a half)\s+"
    r"(?:and a half\s+)?years?\s+(?:after|on\b|since)|"
    r"(?:un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|vingt|\d+)\s+ans?\s+"
    r"(?:et demi\s+)?(?:après|jour pour jour)|il y a (?:un|deux|trois|quatre|cinq|dix|\d+) ans?\b|"
    r"(?:год|два года|три года|\d+ (?:год|года|лет)|пять лет|десять лет)\s+(?:спустя|назад)|"
    r"спустя (?:год|\S+ (?:года|лет))|"
    r"(?:ein|zwei|drei|fünf|zehn|\d+)\s+Jahre?n?\s+nach|vor (?:einem|zwei|drei|fünf|zehn|\d+) Jahr|"
    r"(?:un|dos|tres|cinco|diez|\d+)\s+años?\s+después|hace (?:un|dos|tres|cinco|diez|\d+) años?\b|"
    r"(?:un|due|tre|cinque|dieci|\d+)\s+ann[oi]\s+(?:dopo|fa)\b)",
    re.IGNORECASE,
)
_ANNIVERSARY_KO_RE = re.compile(r"지\s?(?:\d+|한)\s?(?:년|돌)|\d+\s?년이\s?(?:지났|흘렀)|\d+주년")
# A header that labels the piece as commentary: "Blog:", "Opinion:", "Explainer —".
_HEADER_RE = re.compile(
    r"\W*(?:blog|live blog|opinion|op-ed|explainer|analysis|commentary|fact check|"
    r"décryptage|analyse|tribune|éditorial|editorial|chronique|point de vue|"
    r"kommentar|meinung|análisis|opinión|мнение|комментарий|аналитика|분석|칼럼|사설)\s*[:|—–]",
    re.IGNORECASE,
)


def _opening_spans(art: _Article) -> list[Span]:
    opening = [s for s in art.spans if s.in_title][:1]
    return opening + [s for s in art.spans if not s.in_title][:1]


def _commentary_header(art: _Article) -> bool:
    if art._header is None:
        art._header = any(_HEADER_RE.match(art.text, s.start, s.end) for s in _opening_spans(art))
    return art._header


def _anniversary_frame(art: _Article, cand: _Candidate) -> bool:
    """The piece opens on an anniversary and the candidate is not a fresh claim after it."""
    for s in _opening_spans(art):
        m = _ANNIVERSARY_RE.match(art.text, s.start, s.end)
        if m is not None:
            frame_end = next((i for i in range(m.end(), s.end) if art.text[i] in ",;"), s.end)
        elif art.language == "ko" and (ko := _ANNIVERSARY_KO_RE.search(art.text, s.start, s.end)):
            # "…보낸 지 1년이 지난 가운데, 국정원은 …": the frame ends with its word
            space = art.text.find(" ", ko.end(), s.end)
            frame_end = s.end if space < 0 else space
            if art.text.startswith(" 가운데", frame_end):
                frame_end += len(" 가운데")
        else:
            continue
        a = cand.anchor
        if s.start <= a.start < frame_end:
            return True
        lo, hi = art.clause(a.start)
        claimed = art.in_range(art.by_label.get("cue:claim", []), lo, hi)
        if claimed and _NUMBER_HINT_RE.search(art.text, lo, hi):
            return False  # "A year after…, Seoul estimates their losses at 6,000"
        if art.published is not None:
            recent = art.published - timedelta(days=BACKGROUND_AGE_DAYS)
            if any(
                lo <= m.start_idx < hi and m.end >= recent
                for m in art.dates_in(sentence_of(art.spans, a.start))
            ):
                return False  # "Ten years after…, they signed an agreement on Monday"
        return True
    return False


def _analysis_framing(art: _Article) -> bool:
    """The piece opens as commentary ("Analysis:", "Opinion-style…", "Dans une tribune")."""
    opening = [s for s in art.spans if s.in_title][:1]
    opening += [s for s in art.spans if not s.in_title][:1]
    return any(
        s.start <= h.start < s.start + 40
        for s in opening
        for h in art.by_label.get("cue:analysis", [])
    )


# --------------------------------------------------------------------------------------------
# Attributes of the chosen event
# --------------------------------------------------------------------------------------------


def _pick_quantity(art: _Article, cand: _Candidate) -> tuple[Quantity | None, tuple[str, ...]]:
    """The event's figure, and the kinds of personnel it sums ("1 000 sappers and 5 000
    builders": 6 000, ``("builders", "sappers")``; empty for a single figure)."""
    span = sentence_of(art.spans, cand.anchor.start)
    lo, hi = art.clause(cand.anchor.start)
    forces = [h for h in art.hits if h.label.startswith("force:")]
    kp = [h for h, side in art.side_hits if side == "KP"]
    best: tuple[float, int] | None = None
    chosen: Quantity | None = None
    pool = list(art.quantities_in(span))
    ordinals: list[Quantity] = []
    if cand.event_type == "arms_transfer":
        ordinals = _ordinal_units(art, span)
        pool.extend(ordinals)
    # "two of the five missiles", "20 000 des 30 000 ouvriers": the first figure counts.
    wholes: set[int] = set()
    for q in pool:
        part = _PARTITIVE_RE.match(art.text, q.end)
        if part is not None:
            wholes.update(id(o) for o in pool if part.end() <= o.start <= part.end() + 12)
    pool = [q for q in pool if id(q) not in wholes]
    for q in pool:
        if q.start < span.start or q.end > span.end:
            continue
        if q.qualifier == "vague":
            continue
        if _NOT_A_COUNT_RE.match(art.text, q.end):
            continue
        score = 0.0
        reach = q.end + 40
        partitive = _PARTITIVE_RE.match(art.text, q.end)
        if partitive:
            reach = partitive.end() + 40
        counted = [f for f in forces if q.end <= f.start <= reach]
        if art.language in ("ko", "ja"):
            # Korean names the counted noun first: "컨테이너 1천여 개", "병력 약 6천 명"
            before = [f for f in forces if 0 <= q.start - f.end <= 6]
            counted = before or counted
        if any(q is o for o in ordinals):
            counted = []  # tied to its weapon already
            score += 3.0
        groups = {art.knowledge.forces.get(_force_of(f), "") for f in counted[:1]}
        wanted = _FIGURE_GROUPS.get(cand.event_type)
        if counted and wanted is not None and not groups & wanted:
            continue  # "500 workers" is not the figure of an agreement
        if counted:
            score += 3.0
        elif art.language != "de" and _NAME_BEFORE_RE.search(
            art.text, max(0, q.start - 30), q.start
        ):
            continue  # "France 24", "Channel 4": part of a name
        q_lo, q_hi = art.clause(q.start)
        if lo <= q.start < hi:
            score += 1.5
        if any(q_lo <= h.start < q_hi for h in kp):
            score += 2.0
        score -= min(abs(q.start - cand.anchor.start), 300) / 400
        key = (score, -q.start)
        if best is None or key > best:
            best, chosen = key, q
    if chosen is not None and cand.event_type in ("deployment", "casualties"):
        for q in pool:
            if chosen.start < q.start < chosen.start + 80 and _TOTAL_BEFORE_RE.search(
                art.text, max(0, q.start - 14), q.start
            ):
                chosen = q  # "사망 300여 명, 부상 2천700여 명 등 3천 명": the total
                break
        chosen, kinds = _total_of_parts(art, chosen, pool)
        return _first_of_whole(art, chosen, pool), kinds
    return chosen, ()


# A whole, then its parts: "6,000 troops, including 1,000 sappers".
_INCLUDING_RE = re.compile(
    r"[,(]?\s*(?:dont|including|of whom|among them|entre ellos|entre ellas|incluidos|de los cuales|"
    r"из них|в том числе|darunter|davon|tra cui|di cui)\b",
    re.IGNORECASE,
)

# A total after its parts: "… 등 3천 명", "…, 3,000 in all" is said before: "a total of".
_TOTAL_BEFORE_RE = re.compile(
    r"(?:\s등|\s총|a total of|in all,?|au total,?|en tout,?|всего|en total,?|insgesamt)\s*(?:약\s*)?$",
    re.IGNORECASE,
)

# "the first batch of a force expected to total 5,000", "premier contingent d'une force qui
# pourrait atteindre 12 000 hommes": the figure is a part of a stated whole.
_WHOLE_RE = re.compile(
    r"(?:first|initial|advance)\s+(?:batch|contingent|group|wave|tranche)|"
    r"premi(?:er|ère)\s+(?:contingent|groupe|vague|tranche)|part of|out of|of a (?:force|total)|"
    r"d'une force|d'un total|sur un total|to total|could reach|pourrait atteindre|atteindre|"
    r"первая партия|перв\w+ контингент|из общего|первый эшелон|선발대|중 일부|"
    r"erste[nr]? (?:Kontingent|Gruppe|Welle)|primer (?:contingente|grupo)",
    re.IGNORECASE,
)


def _first_of_whole(art: _Article, chosen: Quantity, pool: Sequence[Quantity]) -> Quantity:
    """A part of a stated whole keeps its figure and spans up to the whole, so the report of
    the whole and the report of the part are compatible."""
    if chosen.qualifier == "up_to" or chosen.low is None:
        return chosen
    span = sentence_of(art.spans, chosen.start)
    for q in pool:
        whole = q.high if q.high is not None else q.low
        if whole is None or q.start <= chosen.end or q.end > span.end or whole <= chosen.low:
            continue
        if q.start - chosen.end > 160:
            continue
        if _WHOLE_RE.search(art.text, max(chosen.end, q.start - 60), q.start):
            return replace(chosen, high=max(whole, chosen.high or chosen.low))
    return chosen


_TOTAL_RE = re.compile(
    r"(?:in total|in all|a total of|au total|en tout|au total de|en total|insgesamt|"
    r"всего|в общей сложности|모두|총|합계)",
    re.IGNORECASE,
)
_COORDINATOR_RE = re.compile(
    r"(?:,|\band\b|\bet\b|\bи\b|\by\b|\bund\b|\be\b|\bplus\b|과|와|및)", re.IGNORECASE
)


def _total_of_parts(
    art: _Article, chosen: Quantity, pool: Sequence[Quantity]
) -> tuple[Quantity, tuple[str, ...]]:
    """ "1 000 sappers and 5 000 builders" is one decision of 6 000; a stated total wins."""
    lo, hi = art.clause(chosen.start)
    near = [q for q in pool if lo <= q.start < hi and q.qualifier != "vague"]
    for q in near:
        before = art.text[max(lo, q.start - 16) : q.start]
        after = art.text[q.end : min(hi, q.end + 16)]
        if _TOTAL_RE.search(before) or _TOTAL_RE.match(after.lstrip(" 명")):
            a, b = sorted((chosen.end, q.start))
            if any(a <= v.start < b for v in art.by_label.get("cue:deploy_verb", [])):
                continue  # "…을 이송했으며, 모두 1만2천 명 규모의 파병을 결정": another act's total
            return q, ()  # "모두 6천 명", "6 000 au total"
    for q in sorted(near, key=_start_of_quantity):
        inc = _INCLUDING_RE.search(art.text, q.end, min(hi, q.end + 50))
        if (
            inc is not None
            and any(inc.end() <= o.start <= inc.end() + 12 for o in near)
            and not any(q.end < o.start < inc.start() for o in near)
        ):
            # "6 000 militaires, dont 1 000 démineurs et 5 000 bâtisseurs": the whole, with the
            # kinds of its parts (so it meets the report that names only the parts)
            last = max(o.end for o in near)
            whole_kinds = {
                _force_of(f)
                for f in art.by_group.get("personnel", [])
                if (inc.end() <= f.start <= last + 30 or q.end <= f.start < inc.start())
                and f.start < hi
            }
            return q, tuple(sorted(whole_kinds)) if len(whole_kinds) > 1 else ()
    personnel = art.by_group.get("personnel", [])
    verb_final = art.language in ("ko", "ja")
    parts = [chosen]
    kinds: set[str] = set()
    for q in sorted(near, key=_start_of_quantity):
        if q is chosen or q.low is None:
            continue
        first, second = (parts[-1], q) if q.start > parts[-1].end else (q, parts[0])
        gap = art.text[first.end : second.start]
        if len(gap) > 60 or not _COORDINATOR_RE.search(gap) or re.search(r"[.;:]", gap):
            continue
        # each figure counts its own kind of personnel
        if verb_final:
            own1 = [f for f in personnel if 0 <= first.start - f.end <= 12]
            own2 = [f for f in personnel if first.end <= f.start and f.end <= second.start]
        else:
            own1 = [f for f in personnel if first.end <= f.start and f.end <= second.start]
            own2 = [f for f in personnel if 0 <= f.start - second.end <= 30]
        if not own1 or not own2 or {f.label for f in own1} & {f.label for f in own2}:
            continue
        kinds.update(_force_of(f) for f in own1[:1] + own2[:1])
        if first is parts[-1]:
            parts.append(second)
        else:
            parts.insert(0, first)
    if len(parts) == 1:
        return chosen, ()
    low = sum(p.low or 0 for p in parts)
    high = sum((p.high if p.high is not None else p.low) or 0 for p in parts)
    text = art.text[parts[0].start : parts[-1].end]
    total = replace(chosen, low=low, high=high, start=parts[0].start, end=parts[-1].end, text=text)
    return total, tuple(sorted(kinds))


def _start_of_quantity(q: Quantity) -> int:
    return q.start


# What a figure may count, per event type (by the force word that follows it).
_FIGURE_GROUPS: dict[str, set[str]] = {
    "deployment": {"personnel"},
    "casualties": {"personnel"},
    "arms_transfer": {"weapons"},
    "agreement": {"instrument", "link", "object"},
}


def _ordinal_units(art: _Article, span: Span) -> list[Quantity]:
    """ "the first Pantsir system" states one item: an ordinal right before a weapon."""
    weapons = art.by_group.get("weapons", [])
    out: list[Quantity] = []
    for h in art.by_label.get("cue:first_unit", []):
        if not span.start <= h.start < span.end:
            continue
        if _ONE_TIME_RE.match(art.text, h.end):
            continue  # "for the first time"
        before = art.language in ("ko", "ja")
        if any(
            h.end < w.start <= h.end + 40 or (before and h.start - 40 <= w.end <= h.start)
            for w in weapons
        ):
            text = art.text[h.start : h.end]
            out.append(Quantity(1, 1, "exact", text, h.start, h.end, None, False))
    return out


def _pick_date(art: _Article, cand: _Candidate) -> DateMention | None:
    span = sentence_of(art.spans, cand.anchor.start)
    best: DateMention | None = None
    best_d = 10**9
    for m in art.dates_in(span):
        if m.start_idx < span.start or m.end_idx > span.end:
            continue
        if m.precision == "year" and (
            _SINCE_RE.match(m.text)
            or _SINCE_RE.search(art.text, max(0, m.start_idx - 12), m.start_idx)
        ):
            continue  # "la première depuis 2018": a reference point, never the event's date
        d = abs(m.start_idx - cand.anchor.start)
        if d < best_d:
            best, best_d = m, d
    return best


def _pick_place(art: _Article, cand: _Candidate, acting: str | None = None) -> str | None:
    """Where the event happens: a city or region near the act; a capital only when it is a
    location ("à Moscou", "in Pyongyang", "평양에서"), not a government ("Pyongyang confirms"),
    and not when another act of the clause stands closer to it ("ratified … signed in
    Pyongyang")."""
    span = sentence_of(art.spans, cand.anchor.start)
    lo, hi = art.clause(cand.anchor.start)
    best: tuple[int, int] | None = None
    name: str | None = None
    for h, _side in art.side_hits:
        if h.start < span.start or h.end > span.end:
            continue
        kind, _, ident = h.label.partition(":")
        entity = art.knowledge.entities.get(ident)
        if kind != "entity" or entity is None or entity.kind != "place":
            continue
        if (
            cand.event_type == "deployment"
            and entity.side == (acting or "KP")
            and not entity.specific
        ):
            continue  # "Pyongyang sent troops": the sender, not where they went
        if not entity.specific:
            located = bool(
                _LOCATIVE_BEFORE_RE.search(art.text, max(0, h.start - 6), h.start)
            ) or art.text[h.start : h.end].endswith(("에서", "에"))
            if not located:
                continue
            if lo <= h.start < hi and _closer_act(art, cand.anchor, h.start, lo, hi):
                continue
        key = (0 if entity.specific else 1, abs(h.start - cand.anchor.start))
        if best is None or key < best:
            best, name = key, entity.name
    return name


_LOCATIVE_BEFORE_RE = re.compile(
    r"(?:\b(?:in|at|à|en|in|a|em|w|в|во|у|nach|aus|de|from)\s+)$", re.IGNORECASE
)


def _pick_claimant(art: _Article, cand: _Candidate) -> str | None:
    """Who says so: a source in the event's clause before one elsewhere in its sentence, and
    an authority (NIS, Pentagon, KCNA) before a news agency relaying it."""
    span = sentence_of(art.spans, cand.anchor.start)
    lo, hi = art.clause(cand.anchor.start)
    best: tuple[int, int, int] | None = None
    name: str | None = None
    for h in art.hits:
        if h.start < span.start or h.end > span.end:
            continue
        kind, _, ident = h.label.partition(":")
        entity = art.knowledge.entities.get(ident)
        if kind != "entity" or entity is None or not entity.claimant:
            continue
        key = (
            0 if lo <= h.start < hi else 1,
            1 if entity.media else 0,
            abs(h.start - cand.anchor.start),
        )
        if best is None or key < best:
            best, name = key, entity.name
    if best is not None and best[0] == 0:
        return name
    # "La Corée du Nord admet…": a country that admits or confirms speaks for itself.
    for c in art.in_range(art.by_label.get("cue:admit", []), lo, hi):
        for h, _side in art.side_hits:
            if not (h.label.startswith("entity:") and 0 <= c.start - h.end <= 3):
                continue
            entity = art.knowledge.entities.get(h.label.partition(":")[2])
            if entity is not None and entity.kind in ("country", "org"):
                return entity.name
    return name


def _pick_actors(art: _Article, cand: _Candidate, relevant: bool) -> tuple[str, ...]:
    span = sentence_of(art.spans, cand.anchor.start)
    sides: set[str] = set()
    for h, side in art.side_hits:
        entity = art.knowledge.entities.get(h.label.partition(":")[2])
        if (
            entity is not None
            and entity.kind == "org"
            and entity.claimant
            and side not in ("RU", "KP")
        ):
            continue
        if span.start <= h.start < span.end:
            sides.add(side)
    if relevant:
        sides |= {"RU", "KP"}
    # The acting side (the subject before the verb: "Russia agreed to send instructors")
    # comes first; the others follow in alphabetical order.
    lo, _hi = art.clause(cand.anchor.start)
    acting = next(
        (
            side
            for h, side in art.side_hits
            if side in ("RU", "KP") and span.start <= h.start < cand.anchor.start and h.start >= lo
        ),
        None,
    )
    if acting is None:
        acting = next(
            (
                side
                for h, side in art.side_hits
                if side in ("RU", "KP") and span.start <= h.start < cand.anchor.start
            ),
            None,
        )
    rest = sorted(sides - {acting}) if acting in sides else sorted(sides)
    return (acting, *rest) if acting in sides else tuple(rest)


def _is_additional(art: _Article, cand: _Candidate, quantity: Quantity | None) -> bool:
    if quantity is not None and quantity.additional:
        return True
    lo, hi = art.clause(cand.anchor.start)
    forces = [h for h in art.hits if h.label.startswith("force:") and lo <= h.start < hi]
    for h in art.in_range(art.by_label.get("cue:additional", []), lo, hi):
        if any(abs(f.start - h.start) <= 40 for f in forces):
            return True
    return False


_GENERIC_ITEMS = frozenset({"accord", "memorandum"})


def _stage_force(art: _Article, cand: _Candidate) -> str | None:
    if cand.event_type == "agreement":
        item = _force_of(cand.partner) if cand.partner is not None else None
        if item is None or item in _GENERIC_ITEMS:
            # what a generic accord is about: "an agreement to build a road bridge" → bridge
            lo, hi = art.clause(cand.anchor.start)
            near = cand.partner if cand.partner is not None else cand.anchor
            objects = [*art.by_group.get("object", []), *art.by_group.get("link", [])]
            about = _nearest(objects, near, lo, hi, after=90, before=30)
            if about is not None:
                item = _force_of(about)
        if cand.stage and item:
            return f"{item}:{cand.stage}"
        return item or (f"agreement:{cand.stage}" if cand.stage else None)
    if cand.partner is not None and cand.partner.label.startswith("force:"):
        return _force_of(cand.partner)
    return None


def _confidence(cand: _Candidate, relevance: Relevance) -> float:
    base = 0.25 + min(cand.effective, 5.0) * 0.12
    if not relevance.relevant:
        base *= 0.5
    return round(max(0.05, min(0.99, base)), 2)


def _format_figure(event: DetectedEvent) -> str:
    if event.low is None and event.high is None:
        return ""
    lo, hi = event.low, event.high
    q = event.qualifier
    if q == "range" and lo is not None and hi is not None and lo != hi:
        return f"{lo:,}–{hi:,}"
    value = event.figure
    if value is None:
        return ""
    prefix = {
        "approx": "about ",
        "more_than": "over ",
        "less_than": "under ",
        "up_to": "up to ",
    }.get(q or "", "")
    return f"{prefix}{value:,}"


def _force_words(force: str | None) -> str:
    if not force:
        return ""
    item, _, stage = force.partition(":")
    words = item.replace("_", " ").replace("+", " and ")
    return f"{words} {_STAGE_WORDS.get(stage, stage)}" if stage else words


_STAGE_WORDS = {
    "signature": "signed",
    "ratification": "ratified",
    "enactment": "enacted",
    "entry into force": "in force",
    "arrangement": "agreed",
}


def _origin(event: DetectedEvent) -> str:
    """Adjective of the sending side: the acting side listed first in ``actors``."""
    if event.event_type == "arms_transfer" or not event.actors:
        return ""
    return _SIDE_ADJECTIVES.get(event.actors[0], "")


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _as_date(published: date | datetime | None) -> date | None:
    if published is None:
        return None
    if isinstance(published, datetime):
        return published.date()
    return published


def detect_article(
    text: str,
    *,
    title: str = "",
    lang: str | None = None,
    published: date | datetime | None = None,
    knowledge: Knowledge | None = None,
) -> Detection:
    """Relevance and events of one article (title and text), resolved against ``published``."""
    art, relevance, candidates = _analyse(text, title, lang, published, knowledge)
    if art is None:
        return Detection(None, relevance, ())
    return _decide(art, relevance, candidates)


def _analyse(
    text: str,
    title: str,
    lang: str | None,
    published: date | datetime | None,
    knowledge: Knowledge | None,
) -> tuple[_Article | None, Relevance, list[_Candidate]]:
    kn = knowledge if knowledge is not None else default_knowledge()
    title = (title or "").strip()[:MAX_TITLE_CHARS]
    text = (text or "")[:MAX_TEXT_CHARS]
    full = f"{title}\n\n{text}" if title else text
    title_end = len(title)
    body_start = title_end + 2 if title else 0
    language = detect_language(full, lang) if full.strip() else None
    pub = _as_date(published)
    hits = kn.matcher.find(full)
    spans = split_sentences(full, title_end)
    relevance = assess_relevance(full, hits, spans, kn, title_end, body_start)
    hits = _demonym_nouns(full, hits)
    if not spans:
        return None, relevance, []
    art = _Article(
        text=full,
        spans=spans,
        hits=hits,
        knowledge=kn,
        language=language,
        published=pub,
        clause_breaks=[m.end() for m in _CLAUSE_BREAK_RE.finditer(full)],
    )
    for h in hits:
        art.by_label.setdefault(h.label, []).append(h)
        kind, _, ident = h.label.partition(":")
        if kind == "force":
            art.by_group.setdefault(kn.forces.get(ident, ""), []).append(h)
        side = side_of(h, kn)
        if side:
            art.side_hits.append((h, side))
        if h.label in _ACT_LABELS:
            art.act_hits.append(h)
    art.side_starts = [h.start for h, _side in art.side_hits]
    candidates = _candidates(art)
    first_body = next((s.index for s in spans if not s.in_title), 0)
    for cand in candidates:
        span = sentence_of(spans, cand.anchor.start)
        weight = _sentence_weight(span, first_body)
        lo, _hi = art.clause(cand.anchor.start)
        if lo == span.start:
            weight *= 1.1
        # The main predicate of a sentence tends to come first.
        weight *= 1.0 - 0.3 * (cand.anchor.start - span.start) / max(1, span.end - span.start)
        cand.raw = cand.score * weight
    # Framing is read for the strongest candidates only: a recap weighs half, so once the
    # best framed score beats every remaining raw score the choice is made.
    candidates.sort(key=lambda c: (-c.raw, c.anchor.start))
    best = 0.0
    for cand in candidates:
        if cand.raw < best:
            break
        _settle(art, cand)
        best = max(best, cand.effective)
    return art, relevance, candidates


_COUNT_BEFORE_RE = re.compile(
    r"(?:\d|milliers d[e']|thousands of|тысяч\w*|miles de|Tausende|dizaines de milliers de)"
    r"[\s\u00a0\u202f]*$",
    re.IGNORECASE,
)


# Plural nouns of nationality (not adjectives: "nordkoreanische", "North Korean").
_PLURAL_NOUN_RE = re.compile(r"(?:ans|éens|ennes|anos|anas|aner|цы|цев|ев)$", re.IGNORECASE)


def _demonym_nouns(text: str, hits: list[Hit]) -> list[Hit]:
    """A number makes a demonym a noun of people: "13 000 Nord-Coréens", "thousands of North
    Koreans" count people like "troops" does."""
    nouns = [h.start for h in hits if h.label.startswith("force:")]
    extra = [
        Hit("force:people", h.start, h.end)
        for h in hits
        if h.label.startswith("demonym:")
        and _PLURAL_NOUN_RE.search(text, h.start, h.end)
        and not any(h.end < n <= h.end + 3 for n in nouns)  # "North Koreans troops"
        and _COUNT_BEFORE_RE.search(text, max(0, h.start - 30), h.start)
    ]
    if not extra:
        return hits
    return sorted([*hits, *extra], key=lambda h: (h.start, -h.end, h.label))


def _settle(art: _Article, cand: _Candidate) -> None:
    """Read the framing of a candidate and its effective score (once)."""
    if cand.settled:
        return
    cand.modality = _modality(art, cand)
    if cand.weak and cand.modality == "new":
        # A force named without any act (a presence, a treaty mentioned): context.
        cand.modality = "background"
    if cand.claim_needed and cand.modality == "new" and not _claimed(art, cand):
        cand.modality = "background"
    if cand.modality == "new" and _anniversary_frame(art, cand):
        cand.modality = "background"
    if _commentary_header(art):
        cand.modality = "background"
    factor = 0.5 if cand.modality == "background" else 1.0
    cand.effective = cand.raw * factor
    cand.settled = True


def _decide(art: _Article, relevance: Relevance, candidates: list[_Candidate]) -> Detection:
    language, spans = art.language, art.spans
    main: _Candidate | None = max(
        (c for c in candidates if c.settled),
        key=lambda c: (c.effective, -c.anchor.start),
        default=None,
    )
    if main is not None and main.event_type == "visit":
        # A visit is often the occasion of an agreement or a dispatch: an act made or announced
        # during it is the news.
        lead = {s.index for s in spans[:3]}
        signed = []
        for c in candidates:
            if c.weak:
                continue
            if c.event_type == "agreement" and c.score < 4.0:
                continue
            if c.event_type == "deployment" and (
                c.anchor.label != "cue:deploy_verb"
                or c.score < 2.5
                or not _announced_between(art, main.anchor.end, c.anchor.start)
            ):
                continue  # a dispatch announced during the visit is the news too
            if c.event_type not in ALERT_TYPES:
                continue
            if sentence_of(spans, c.anchor.start).index not in lead:
                continue
            _settle(art, c)
            if c.modality == "new":
                signed.append(c)
        if signed:
            main = max(signed, key=lambda c: c.effective)
    if (
        main is not None
        and main.event_type == "agreement"
        and main.modality == "denied"
        and _negated_detail(art, main)
    ):
        # "Putin and Kim met…; no document was signed": the meeting is the news.
        visits = [c for c in candidates if c.event_type == "visit" and c.raw >= 2.5]
        for c in visits:
            _settle(art, c)
        met = [c for c in visits if c.modality == "new"]
        if met:
            main = max(met, key=lambda c: c.effective)
    if main is not None and main.modality == "new":
        # A stronger mention of the same act in the same sentence lost only by its framing:
        # the framing holds ("the deployment, first reported in 2024, has given … combat").
        here = sentence_of(spans, main.anchor.start).index
        for c in candidates:
            if (
                c.settled
                and c is not main
                and c.event_type == main.event_type
                and c.raw > main.raw
                and c.modality != "new"
                and sentence_of(spans, c.anchor.start).index == here
                # another instrument is another act ("Un an après la signature du traité, …
                # ont signé mardi un accord sur la pêche")
                and not (
                    c.partner is not None
                    and main.partner is not None
                    and c.partner.label != main.partner.label
                    and main.event_type == "agreement"
                )
                # the anniversary frame's own act ("병력을 보낸 지 1년이 지난 가운데, … 추가 파병")
                and not _anniversary_frame(art, c)
            ):
                main.modality = c.modality
                break
    if main is None or main.effective < MIN_TYPE_SCORE:
        # No clear act: an "other" event read from the lead, for its figure and framing.
        first = next((s for s in spans if not s.in_title), spans[0])
        anchor = Hit("cue:none", first.start, first.start)
        main = _Candidate("other", 1.0, anchor, raw=1.0, effective=1.0, settled=True)
        main.modality = _modality(art, main)
    events = [_build_event(art, main, relevance)]
    for extra in _secondary(art, main, candidates):
        events.append(_build_event(art, extra, relevance))
    return Detection(language, relevance, tuple(events))


def _announced_between(art: _Article, start: int, end: int) -> bool:
    """A reporting verb stands between two positions ("En visite…, X a annoncé que…"), not
    a side clause that dates the visit ("days after reports of troop deployments")."""
    if _AFTER_RE.search(art.text, start, end):
        return False
    return any(
        art.in_range(art.by_label.get(label, []), start, end)
        for label in ("cue:claim", "cue:confirm")
    )


_AFTER_RE = re.compile(
    r"\b(?:after|following|since|amid|après|depuis|au lendemain|на фоне|после|nach|tras|"
    r"después|desde)\b",
    re.IGNORECASE,
)


# A second alert-worthy act in the lead ("during Shoigu's visit, Kim decided to send 1,000
# sappers") is reported too, when it is as strong as a main event would be.
SECONDARY_MIN_SCORE = 3.5


def _secondary(art: _Article, main: _Candidate, candidates: list[_Candidate]) -> list[_Candidate]:
    first = next((s.index for s in art.spans if not s.in_title), 0)
    lead = {s.index for s in art.spans if s.in_title} | {first}
    best: dict[str, _Candidate] = {}
    for c in candidates:
        if c.event_type not in ALERT_TYPES or c.event_type == main.event_type or c.weak:
            continue
        if c.anchor.label in ("cue:deploy_state", "cue:deploy_presence"):
            continue  # troops already there ("died clearing mines") are not a second dispatch
        if (
            c.score < SECONDARY_MIN_SCORE
            or sentence_of(art.spans, c.anchor.start).index not in lead
        ):
            continue
        _settle(art, c)
        if c.modality != "new":
            continue
        if c.event_type not in best or c.effective > best[c.event_type].effective:
            best[c.event_type] = c
    return sorted(best.values(), key=lambda c: -c.effective)


def _build_event(art: _Article, cand: _Candidate, relevance: Relevance) -> DetectedEvent:
    span = sentence_of(art.spans, cand.anchor.start)
    quantity, kinds = _pick_quantity(art, cand)
    when = _pick_date(art, cand)
    unit = quantity.unit if quantity is not None else None
    force = "+".join(kinds) if kinds else _stage_force(art, cand)
    actors = _pick_actors(art, cand, relevance.relevant)
    return DetectedEvent(
        event_type=cand.event_type,
        modality=cand.modality,
        low=quantity.low if quantity is not None else None,
        high=quantity.high if quantity is not None else None,
        qualifier=quantity.qualifier if quantity is not None else None,
        unit=unit,
        force=force,
        place=_pick_place(art, cand, actors[0] if actors else None),
        event_date=when.start if when is not None else None,
        date_end=when.end if when is not None else None,
        date_precision=when.precision if when is not None else None,
        actors=actors,
        claimant=_pick_claimant(art, cand),
        additional=_is_additional(art, cand, quantity),
        evidence=art.text[span.start : span.end].strip(),
        confidence=_confidence(cand, relevance),
    )
